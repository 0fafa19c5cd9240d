#include "integrations/listing_export.h"

#include "core/ocop.h"
#include "core/producers.h"
#include "core/product_csv.h"
#include "core/text.h"

namespace chophien::integrations {
namespace {

// The layouts. Not the platforms' published templates (there are none public): the fields their
// seller forms ask for, in a plausible order, with conservative limits. Edit here to match a
// producer's downloaded template.
const std::vector<ListingColumn> kPostmartColumns = {
    {"Mã SKU", ListingField::sku, true, 50},
    {"Tên sản phẩm", ListingField::name, true, 120},
    {"Mô tả sản phẩm", ListingField::description, true, 3000},
    {"Danh mục", ListingField::category, true, 0},
    {"Giá bán (VNĐ)", ListingField::price_vnd, true, 0},
    {"Số lượng tồn kho", ListingField::stock, true, 0},
    {"Đơn vị tính", ListingField::unit, true, 50},
    {"Khối lượng (gram)", ListingField::weight_g, true, 0},
    {"Ảnh chính (URL)", ListingField::photo_main, true, 0},
    {"Ảnh phụ (URL)", ListingField::photo_extra, false, 0},
    {"Hạng sao OCOP", ListingField::ocop_stars, false, 0},
    {"Giấy chứng nhận OCOP", ListingField::ocop_certificate, false, 200},
    {"Xuất xứ", ListingField::origin, true, 255},
};

const std::vector<ListingColumn> kVosoColumns = {
    {"Tên sản phẩm (*)", ListingField::name, true, 150},
    {"Mã sản phẩm (*)", ListingField::sku, true, 40},
    {"Ngành hàng (*)", ListingField::category, true, 0},
    {"Giá bán (*)", ListingField::price_vnd, true, 0},
    {"Tồn kho (*)", ListingField::stock, true, 0},
    {"Cân nặng (g) (*)", ListingField::weight_g, true, 0},
    {"Mô tả (*)", ListingField::description, true, 5000},
    {"Link ảnh 1 (*)", ListingField::photo_main, true, 0},
    {"Link ảnh khác", ListingField::photo_extra, false, 0},
    {"Đơn vị", ListingField::unit, false, 50},
    {"Sản phẩm OCOP (số sao)", ListingField::ocop_stars, false, 0},
    {"Số quyết định công nhận OCOP", ListingField::ocop_certificate, false, 200},
    {"Nơi sản xuất", ListingField::origin, false, 255},
};

struct Steps {
  std::string_view platform;
  std::string_view display;
  std::vector<std::string_view> steps;
};

const Steps kPostmartSteps = {
    "postmart",
    "postmart.vn",
    {"Đăng nhập trang người bán của postmart.vn (tài khoản do Bưu điện tỉnh hỗ trợ mở).",
     "Vào mục quản lý sản phẩm, chọn thêm sản phẩm hàng loạt và tải mẫu tệp của sàn về.",
     "Đối chiếu tên cột trong mẫu của sàn với tệp này; nếu khác, sao chép từng cột sang mẫu "
     "(giữ nguyên thứ tự dòng).",
     "Chọn danh mục của sàn cho từng sản phẩm nếu sàn yêu cầu mã danh mục riêng.",
     "Tải tệp lên, sửa các dòng sàn báo lỗi, rồi gửi duyệt.",
     "Sau khi sàn duyệt, kiểm tra giá và tồn kho trên trang sản phẩm; khi đổi giá hoặc tồn kho "
     "ở chophien, xuất lại tệp và tải lên để cập nhật."}};

const Steps kVosoSteps = {
    "voso",
    "voso.vn",
    {"Đăng nhập kênh người bán của voso.vn (seller.voso.vn).",
     "Vào Sản phẩm, chọn Đăng tải hàng loạt và tải tệp mẫu của sàn về.",
     "Đối chiếu tên cột trong mẫu của sàn với tệp này; nếu khác, sao chép từng cột sang mẫu.",
     "Chọn ngành hàng của sàn cho từng sản phẩm (cột Ngành hàng ở đây là nhóm OCOP).",
     "Tải tệp lên, sửa các dòng sàn báo lỗi, chờ sàn duyệt sản phẩm.",
     "Khi đổi giá hoặc tồn kho ở chophien, xuất lại tệp và tải lên để cập nhật."}};

size_t char_count(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string certificate_text(const core::Product& p) {
  if (!p.fields.certificate) return {};
  const auto& c = *p.fields.certificate;
  std::string out = c.decision_no;
  if (!c.decision_date.empty()) out += ", " + c.decision_date;
  if (!c.issuer.empty()) out += ", " + c.issuer;
  return out;
}

std::string value_of(const ListingItem& item, ListingField field) {
  const auto& f = item.product.fields;
  switch (field) {
    case ListingField::sku:
      return f.sku;
    case ListingField::name:
      return f.name;
    case ListingField::description:
      return f.description;
    case ListingField::category: {
      const auto* group = core::find_ocop_group(f.ocop_group);
      return group != nullptr ? group->name_vi : std::string();
    }
    case ListingField::price_vnd:
      return f.price_vnd > 0 ? std::to_string(f.price_vnd) : std::string();
    case ListingField::stock:
      return std::to_string(f.stock);
    case ListingField::unit:
      return f.unit;
    case ListingField::weight_g:
      return f.weight_g && *f.weight_g > 0 ? std::to_string(*f.weight_g) : std::string();
    case ListingField::photo_main:
      return item.photo_urls.empty() ? std::string() : item.photo_urls.front();
    case ListingField::photo_extra: {
      std::string out;
      for (size_t i = 1; i < item.photo_urls.size(); ++i) {
        if (!out.empty()) out += " | ";
        out += item.photo_urls[i];
      }
      return out;
    }
    case ListingField::ocop_stars:
      return f.certificate ? std::to_string(f.certificate->stars) : std::string();
    case ListingField::ocop_certificate:
      return certificate_text(item.product);
    case ListingField::origin:
      return item.origin;
  }
  return {};
}

// Advice beyond the required columns: what makes a listing sell.
std::vector<std::string> advice(const ListingItem& item) {
  std::vector<std::string> out;
  const auto& f = item.product.fields;
  if (item.photo_urls.size() < 3)
    out.push_back("nên có ít nhất 3 ảnh (hiện có " + std::to_string(item.photo_urls.size()) + ")");
  if (char_count(f.description) < 100) out.push_back("mô tả nên dài hơn 100 ký tự");
  if (!f.certificate) out.push_back("chưa có giấy chứng nhận OCOP");
  if (item.product.certificate_revoked_at) out.push_back("giấy chứng nhận OCOP đã bị thu hồi");
  if (f.stock <= 0) out.push_back("hết hàng: sàn có thể ẩn sản phẩm");
  return out;
}

class CsvListingExporter final : public ListingExporter {
 public:
  CsvListingExporter(const Steps& steps, const std::vector<ListingColumn>& columns)
      : steps_(steps), columns_(columns) {}

  std::string_view platform() const override { return steps_.platform; }
  std::string_view display_name() const override { return steps_.display; }
  const std::vector<ListingColumn>& columns() const override { return columns_; }

  ListingFile write(const std::vector<ListingItem>& items) const override {
    ListingFile file;
    file.file_name = std::string(steps_.platform) + "-san-pham.csv";
    file.content_type = "text/csv; charset=utf-8";
    file.products = static_cast<int>(items.size());
    std::string csv = "\xEF\xBB\xBF";
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) csv += ',';
      csv += core::csv_field(columns_[i].header);
    }
    csv += "\r\n";
    std::string per_product;
    for (const auto& item : items) {
      const auto& p = item.product;
      std::vector<std::string> missing;
      for (size_t i = 0; i < columns_.size(); ++i) {
        const auto& col = columns_[i];
        std::string value = value_of(item, col.field);
        if (col.required && value.empty()) {
          file.problems.push_back({p.fields.sku, std::string(col.header), "thiếu"});
          missing.push_back(std::string(col.header));
        } else if (col.max_chars > 0 && char_count(value) > col.max_chars) {
          file.problems.push_back({p.fields.sku, std::string(col.header),
                                   "dài quá " + std::to_string(col.max_chars) + " ký tự"});
          missing.push_back(std::string(col.header) + " quá dài");
        }
        if (i > 0) csv += ',';
        csv += core::csv_field(value);
      }
      csv += "\r\n";
      per_product += "- " + p.fields.sku + " — " + p.fields.name + ": ";
      if (missing.empty()) {
        per_product += "đủ thông tin bắt buộc";
      } else {
        per_product += "CẦN SỬA: ";
        for (size_t i = 0; i < missing.size(); ++i) per_product += (i ? ", " : "") + missing[i];
      }
      for (const auto& a : advice(item)) per_product += "; " + a;
      per_product += "\n";
    }
    if (file.problems.empty() && !items.empty()) file.bytes = std::move(csv);

    std::string& c = file.checklist;
    c += "Đăng sản phẩm lên " + std::string(steps_.display) + " bằng tệp\n\n";
    c +=
        "Sàn không công bố mẫu tệp đăng hàng loạt; tệp này theo bố cục cột của chophien. Trước khi "
        "tải lên, đối chiếu với mẫu trong trang người bán của sàn.\n\n";
    c += "Các bước:\n";
    for (size_t i = 0; i < steps_.steps.size(); ++i)
      c += std::to_string(i + 1) + ". " + std::string(steps_.steps[i]) + "\n";
    c += "\nSản phẩm (" + std::to_string(items.size()) + "):\n";
    if (items.empty()) c += "- chưa có sản phẩm nào đang bán\n";
    c += per_product;
    if (!file.problems.empty())
      c += "\nChưa tạo tệp: sửa các mục CẦN SỬA ở trên (trong trang sản phẩm) rồi xuất lại.\n";
    return file;
  }

 private:
  const Steps& steps_;
  const std::vector<ListingColumn>& columns_;
};

}  // namespace

std::unique_ptr<ListingExporter> make_listing_exporter(std::string_view platform) {
  if (platform == "postmart")
    return std::make_unique<CsvListingExporter>(kPostmartSteps, kPostmartColumns);
  if (platform == "voso") return std::make_unique<CsvListingExporter>(kVosoSteps, kVosoColumns);
  return nullptr;
}

Result<std::vector<ListingItem>> listing_items(core::Database& db, const core::Clock& clock,
                                               int64_t producer_id, std::string_view public_url) {
  core::ProducerStore producers(db, clock);
  auto producer = producers.get(producer_id);
  if (!producer) return producer.error();
  std::string origin = producer->fields.name;
  if (!producer->fields.address.empty()) origin += ", " + producer->fields.address;
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  core::ProductStore store(db, clock);
  auto products = store.list_by_producer(producer_id);
  if (!products) return products.error();
  std::vector<ListingItem> items;
  for (auto& p : *products) {
    if (p.fields.status != core::ProductStatus::active) continue;
    auto photos = store.photos(p.id);
    if (!photos) return photos.error();
    ListingItem item;
    // The largest JPEG copy when there are copies (what the platforms take), else the original.
    for (const auto& photo : *photos)
      item.photo_urls.push_back(photo.variant_widths.empty()
                                    ? base + "/anh/" + photo.sha256
                                    : base + "/anh/" + photo.sha256 + "-" +
                                          std::to_string(photo.variant_widths.back()) + ".jpg");
    item.origin = origin;
    item.product = std::move(p);
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace chophien::integrations
