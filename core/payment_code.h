#pragma once
// Payment codes and order access tokens.
//
// A payment code is what the customer's bank transfer carries in its description, e.g.
// "CPK7Q2M9X": the prefix "CP", 6 random characters and 1 check character, 9 in all (payOS's
// limit for accounts not linked through it). Characters come from a 31-symbol alphabet without
// look-alikes: the digits 2-9 and the letters A-Z except I, L and O (no 0/O, no 1/I/L). The
// check character makes the weighted sum  sum_{i=1..7} i * value(c_i)  of the 7 characters after
// the prefix divisible by 31. Because 31 is prime and the weights 1..7 are distinct and non-zero
// modulo 31, every single substitution and every transposition of two adjacent characters
// changes the sum modulo 31, so it is detected (payment_code_test.cc checks this exhaustively).
//
// Access tokens open a customer's order page. They carry 192 random bits (OpenSSL RAND_bytes),
// URL-safe base64 without padding (32 characters), and are stored only as their SHA-256 (hex).
//
// All functions are thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace chophien::core {

inline constexpr std::string_view kPaymentCodePrefix = "CP";
inline constexpr std::string_view kPaymentCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr size_t kPaymentCodeRandomChars = 6;
inline constexpr size_t kPaymentCodeLength =
    kPaymentCodePrefix.size() + kPaymentCodeRandomChars + 1;  // 9

// A fresh random code. Throws std::runtime_error only if the system random source fails.
std::string new_payment_code();

// True for a well-formed code: exact length, upper case, prefix, alphabet, check character.
bool is_valid_payment_code(std::string_view code);

// The check character for the characters after the prefix (all must be in the alphabet), or
// '\0' when one is not.
char payment_code_check_char(std::string_view body);

// Every valid payment code found in a bank description, in order of first appearance, without
// repeats. Tolerant of what banks and bank apps do: any case, spaces and punctuation inside or
// around the code, bank prefixes and suffixes glued to it ("MBVCB.1234.CPK7Q2M9X.CT tu ..."),
// non-ASCII text around it. The description is reduced to its ASCII letters and digits, upper
// case, and every "CP" followed by 7 alphabet characters with a correct check is a hit.
std::vector<std::string> find_codes_in(std::string_view description);

// Like find_codes_in, but returns the candidates that have the prefix and 7 alphabet
// characters yet a wrong check character: a mistyped code worth showing to a person.
std::vector<std::string> find_mistyped_codes_in(std::string_view description);

// A fresh access token: 192 random bits, URL-safe base64 without padding.
std::string new_access_token();
// Lower-case hex SHA-256 of a token: what is stored.
std::string hash_access_token(std::string_view token);
// Constant-time comparison of hash_access_token(token) with a stored hash.
bool access_token_matches(std::string_view token, std::string_view stored_hash);

// `n` random bytes from OpenSSL. Throws std::runtime_error if the random source fails.
std::string random_bytes(size_t n);

}  // namespace chophien::core
