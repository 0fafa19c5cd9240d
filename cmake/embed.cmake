# chophien_embed(TARGET NAMESPACE NAME FILE...): compiles files into the target as
# `std::string_view` constants. Generates <NAME>.h declaring
#   namespace NAMESPACE { struct EmbeddedFile { std::string_view name, data; };
#                         std::span<const EmbeddedFile> NAME(); }
# The data is written as a byte array, so any file content is safe.
function(chophien_embed target ns name)
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/embedded")
  set(header "${out_dir}/${name}.h")
  set(source "${out_dir}/${name}.cc")
  set(files ${ARGN})
  # A CMake list would be split by the shell at ';', so the script gets the files joined by '|'.
  string(REPLACE ";" "|" files_arg "${files}")
  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND "${CMAKE_COMMAND}" -DNS=${ns} -DNAME=${name} -DOUT_H=${header} -DOUT_CC=${source}
            "-DFILES=${files_arg}" -P "${CHOPHIEN_EMBED_SCRIPT}"
    DEPENDS ${files} "${CHOPHIEN_EMBED_SCRIPT}"
    COMMENT "Embedding ${name}"
    VERBATIM)
  target_sources(${target} PRIVATE "${source}")
  target_include_directories(${target} PUBLIC "${out_dir}")
endfunction()
