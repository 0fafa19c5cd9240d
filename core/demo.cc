#include "core/demo.h"

#include <cstdint>
#include <string_view>

#include "core/areas.h"
#include "core/producers.h"
#include "core/products.h"

namespace chophien::core {
namespace {

struct DemoProducer {
  std::string_view registration_no;
  std::string_view name;
  EntityType type;
  std::string_view area_code;
  std::string_view phone;
  std::string_view address;
  std::string_view bin;
  std::string_view account;
  std::string_view holder;
  std::string_view representative;
  std::string_view facebook;
  std::string_view zalo;
};

// Six communes in force since 1 July 2025: 01290 Bảo Lâm, 01294 Lý Bôn, 01297 Nam Quang,
// 01304 Quảng Lâm, 01318 Yên Thổ, 01324 Cốc Pàng. Banks: 970405 Agribank, 970436 Vietcombank,
// 970415 VietinBank, 970418 BIDV.
constexpr DemoProducer kProducers[] = {
    {"4800781234", "HTX Nông sản Bảo Lâm", EntityType::cooperative, "01290", "0915326481",
     "Tổ 3, xã Bảo Lâm, Cao Bằng", "970436", "1041234567", "HTX NONG SAN BAO LAM", "Nông Văn Thành",
     "facebook.com/nongsanbaolam", "0915326481"},
    {"48H8000112", "Hộ kinh doanh Lương Thị Hoa", EntityType::household_business, "01290",
     "0986214375", "Bản Khâu Vai, xã Bảo Lâm, Cao Bằng", "970405", "8300205123456", "LUONG THI HOA",
     "Lương Thị Hoa", "", "0986214375"},
    {"4800782345", "HTX Miến dong Lý Bôn", EntityType::cooperative, "01294", "0948172635",
     "Bản Nà Mỏ, xã Lý Bôn, Cao Bằng", "970418", "42710000123456", "HTX MIEN DONG LY BON",
     "Đàm Văn Khải", "facebook.com/miendonglybon", ""},
    {"THT-LB-2021-03", "Tổ hợp tác Dệt thổ cẩm Lý Bôn", EntityType::cooperative_group, "01294",
     "0376458219", "Bản Tổng Ngoảng, xã Lý Bôn, Cao Bằng", "970405", "8300205987654",
     "TRIEU THI MAY", "Triệu Thị Mây", "", "0376458219"},
    {"4800783456", "HTX Chè Shan tuyết Nam Quang", EntityType::cooperative, "01297", "0962538147",
     "Bản Nà Tàu, xã Nam Quang, Cao Bằng", "970415", "107871234567", "HTX CHE SHAN TUYET NAM QUANG",
     "Hoàng Văn Lục", "facebook.com/cheshannamquang", "0962538147"},
    {"48H8000245", "Hộ kinh doanh Nông Văn Páo", EntityType::household_business, "01297",
     "0827364519", "Bản Cốc Phát, xã Nam Quang, Cao Bằng", "970405", "8300205246813",
     "NONG VAN PAO", "Nông Văn Páo", "", "0827364519"},
    {"4800784567", "HTX Dược liệu Quảng Lâm", EntityType::cooperative, "01304", "0912847563",
     "Bản Nà Làng, xã Quảng Lâm, Cao Bằng", "970418", "42710000654321", "HTX DUOC LIEU QUANG LAM",
     "Lý Thị Sao", "facebook.com/duoclieuquanglam", ""},
    {"4801234567", "Công ty TNHH Nông lâm sản Cao Bằng Xanh", EntityType::enterprise, "01304",
     "0206385123", "Khu chợ, xã Quảng Lâm, Cao Bằng", "970436", "1042345678",
     "CONG TY TNHH NONG LAM SAN CAO BANG XANH", "Bế Văn Hùng", "facebook.com/caobangxanh",
     "0206385123"},
    {"THT-YT-2022-01", "Tổ hợp tác Du lịch cộng đồng Yên Thổ", EntityType::cooperative_group,
     "01318", "0393581726", "Bản Khuổi Hẻo, xã Yên Thổ, Cao Bằng", "970405", "8300205135790",
     "HOANG THI DUNG", "Hoàng Thị Dung", "facebook.com/homestayyentho", "0393581726"},
    {"4800785678", "HTX Gạo nếp Yên Thổ", EntityType::cooperative, "01318", "0973624185",
     "Bản Nà Vài, xã Yên Thổ, Cao Bằng", "970415", "107872345678", "HTX GAO NEP YEN THO",
     "Ma Văn Sình", "", "0973624185"},
    {"48H8000378", "Hộ kinh doanh Hoàng Văn Sình", EntityType::household_business, "01324",
     "0358147296", "Bản Cốc Pàng, xã Cốc Pàng, Cao Bằng", "970405", "8300205864209",
     "HOANG VAN SINH", "Hoàng Văn Sình", "", "0358147296"},
    {"4800786789", "HTX Thảo dược Cốc Pàng", EntityType::cooperative, "01324", "0919463852",
     "Bản Phiêng Pẻn, xã Cốc Pàng, Cao Bằng", "970418", "42710000987654", "HTX THAO DUOC COC PANG",
     "Triệu Văn Quý", "facebook.com/thaoduoccocpang", "0919463852"},
};

struct DemoProduct {
  int producer;  // index into kProducers
  std::string_view sku;
  std::string_view name;
  std::string_view description;
  std::string_view group;
  int stars;  // 0: no OCOP certificate
  std::string_view decision_no;
  std::string_view decision_date;
  std::string_view issuer;
  std::string_view unit;
  int64_t price_vnd;
  int64_t stock;
  int64_t weight_g;  // 0: none
};

constexpr std::string_view kDistrict = "UBND huyện Bảo Lâm";
constexpr std::string_view kProvince = "UBND tỉnh Cao Bằng";

constexpr DemoProduct kProducts[] = {
    {0, "DEMO-BL-MIEN500", "Miến dong Bảo Lâm",
     "Miến làm từ tinh bột dong riềng trồng trên nương, phơi nắng, sợi dai và trong.", "G1", 4,
     "1523/QĐ-UBND", "2023-09-12", kProvince, "gói 500 g", 60000, 120, 520},
    {0, "DEMO-BL-MIEN1K", "Miến dong Bảo Lâm loại 1 kg", "Gói lớn cho gia đình và quán ăn.", "G1",
     4, "1523/QĐ-UBND", "2023-09-12", kProvince, "gói 1 kg", 110000, 60, 1030},
    {0, "DEMO-BL-HATDE", "Hạt dẻ Bảo Lâm", "Hạt dẻ rừng thu hoạch tháng 9, rang củi.", "G1", 3,
     "2210/QĐ-UBND", "2022-11-03", kDistrict, "túi 1 kg", 150000, 40, 1000},
    {0, "DEMO-BL-BANHGAI", "Bánh gai lá gai rừng", "Bánh nhân đậu xanh, dừa, gói lá chuối khô.",
     "G1", 0, "", "", "", "chục 10 chiếc", 80000, 25, 900},
    {1, "DEMO-LH-THITGAC", "Thịt lợn gác bếp",
     "Thịt lợn đen thả rông, ướp mắc khén, hun khói bếp củi 2 tháng.", "G1", 3, "2211/QĐ-UBND",
     "2022-11-03", kDistrict, "gói 500 g", 450000, 30, 500},
    {1, "DEMO-LH-LAPXUONG", "Lạp xưởng hun khói", "Lạp xưởng thịt lợn đen, rượu ngô men lá.", "G1",
     0, "", "", "", "gói 500 g", 220000, 40, 500},
    {1, "DEMO-LH-TRAUGAC", "Thịt trâu gác bếp",
     "Thịt trâu vùng cao sấy khói, xé sợi chấm chẩm chéo.", "G1", 0, "", "", "", "gói 250 g",
     320000, 15, 250},
    {2, "DEMO-LB-MIEN", "Miến dong Lý Bôn",
     "Miến dong thủ công, không chất tẩy trắng, nấu không nát.", "G1", 3, "1187/QĐ-UBND",
     "2021-06-18", kDistrict, "gói 500 g", 55000, 200, 520},
    {2, "DEMO-LB-BOTDONG", "Tinh bột dong riềng", "Bột dong lọc nước suối, làm bánh và nấu chè.",
     "G1", 0, "", "", "", "túi 1 kg", 70000, 80, 1000},
    {2, "DEMO-LB-MIENDEN", "Miến dong đen", "Miến từ dong riềng tím, màu sẫm tự nhiên.", "G1", 0,
     "", "", "", "gói 300 g", 45000, 0, 320},
    {3, "DEMO-TC-KHAN", "Khăn thổ cẩm Dao đỏ",
     "Khăn dệt tay, hoa văn truyền thống người Dao đỏ, nhuộm chàm.", "G4", 3, "1875/QĐ-UBND",
     "2023-04-20", kDistrict, "chiếc", 250000, 20, 150},
    {3, "DEMO-TC-TUI", "Túi thổ cẩm thêu tay", "Túi đeo vai vải lanh, thêu chỉ màu.", "G4", 3,
     "1875/QĐ-UBND", "2023-04-20", kDistrict, "chiếc", 320000, 12, 250},
    {3, "DEMO-TC-VAY", "Váy lanh Mông", "Vải lanh dệt tay, in sáp ong, xếp ly.", "G4", 0, "", "",
     "", "chiếc", 1200000, 4, 800},
    {3, "DEMO-TC-KHANTRAI", "Khăn trải bàn thổ cẩm", "Khăn 1,2 m x 1,6 m, hoa văn trám.", "G4", 0,
     "", "", "", "chiếc", 450000, 6, 400},
    {4, "DEMO-NQ-CHE100", "Chè Shan tuyết Nam Quang",
     "Búp chè cây cổ thụ trên 100 năm, sao tay chảo gang.", "G2", 4, "1524/QĐ-UBND", "2023-09-12",
     kProvince, "hộp 100 g", 180000, 50, 150},
    {4, "DEMO-NQ-CHE500", "Chè Shan tuyết túi 500 g",
     "Chè móc câu, nước xanh vàng, vị chát dịu hậu ngọt.", "G2", 4, "1524/QĐ-UBND", "2023-09-12",
     kProvince, "túi 500 g", 750000, 20, 520},
    {4, "DEMO-NQ-HONGTRA", "Hồng trà Shan tuyết", "Chè lên men tự nhiên, hương mật.", "G2", 3,
     "2409/QĐ-UBND", "2024-10-08", kProvince, "hộp 100 g", 220000, 25, 150},
    {4, "DEMO-NQ-TRAXANH", "Trà xanh túi lọc Nam Quang", "Hộp 25 túi lọc, tiện pha văn phòng.",
     "G2", 0, "", "", "", "hộp 25 túi", 65000, 70, 80},
    {5, "DEMO-NP-MATONG", "Mật ong bạc hà Nam Quang",
     "Mật ong hoa bạc hà cao nguyên, vụ tháng 10-12, sánh và thơm.", "G1", 3, "2212/QĐ-UBND",
     "2022-11-03", kDistrict, "chai 500 ml", 280000, 35, 750},
    {5, "DEMO-NP-MATONG1L", "Mật ong bạc hà chai 1 lít", "Chai thủy tinh lớn, mật nguyên chất.",
     "G1", 3, "2212/QĐ-UBND", "2022-11-03", kDistrict, "chai 1 l", 520000, 15, 1500},
    {5, "DEMO-NP-SAPONG", "Sáp ong rừng", "Sáp ong lọc sạch, dùng làm nến và dưỡng da.", "G5", 0,
     "", "", "", "bánh 200 g", 90000, 10, 200},
    {6, "DEMO-QL-GIAOCO", "Trà giảo cổ lam", "Giảo cổ lam 5 lá hái ở độ cao trên 800 m, sấy lạnh.",
     "G3", 4, "1525/QĐ-UBND", "2023-09-12", kProvince, "túi 250 g", 160000, 45, 260},
    {6, "DEMO-QL-CATCAN", "Cát cánh khô", "Rễ cát cánh thái lát, phơi sấy.", "G3", 3,
     "1876/QĐ-UBND", "2023-04-20", kDistrict, "túi 500 g", 190000, 30, 520},
    {6, "DEMO-QL-TAMTHAT", "Tam thất bắc", "Củ tam thất trồng dưới tán rừng 5 năm.", "G3", 0, "",
     "", "", "hộp 250 g", 850000, 8, 300},
    {6, "DEMO-QL-NGAMCHAN", "Thuốc ngâm chân người Dao", "Hỗn hợp 12 loại lá rừng sấy khô.", "G3",
     3, "1876/QĐ-UBND", "2023-04-20", kDistrict, "gói 10 túi", 75000, 60, 300},
    {7, "DEMO-CBX-NEPCAI", "Gạo nếp cái hoa vàng", "Gạo nếp ruộng bậc thang, hạt tròn, dẻo thơm.",
     "G1", 4, "2410/QĐ-UBND", "2024-10-08", kProvince, "túi 2 kg", 95000, 100, 2000},
    {7, "DEMO-CBX-HATDE", "Hạt dẻ sấy giòn", "Hạt dẻ tách vỏ, sấy giòn không đường.", "G1", 0, "",
     "", "", "hộp 300 g", 120000, 40, 330},
    {7, "DEMO-CBX-MANGKHO", "Măng vầu khô", "Măng vầu rừng luộc, phơi khô.", "G1", 3,
     "2213/QĐ-UBND", "2022-11-03", kDistrict, "túi 500 g", 130000, 50, 500},
    {7, "DEMO-CBX-GIOQUA", "Giỏ quà Tết Bảo Lâm",
     "Miến dong, chè Shan tuyết, mật ong bạc hà, hạt dẻ trong giỏ mây.", "G1", 0, "", "", "", "giỏ",
     890000, 10, 3000},
    {8, "DEMO-YT-HOMESTAY", "Homestay nhà sàn Khuổi Hẻo",
     "Một đêm nhà sàn cho 2 người, bữa tối món Tày, đón tại xã.", "G6", 3, "1877/QĐ-UBND",
     "2023-04-20", kDistrict, "đêm / 2 người", 600000, 5, 0},
    {8, "DEMO-YT-TREK", "Tour đi bộ ruộng bậc thang Yên Thổ",
     "Nửa ngày đi bộ cùng người dẫn đường bản địa.", "G6", 0, "", "", "", "khách", 250000, 20, 0},
    {8, "DEMO-YT-NAUAN", "Trải nghiệm nấu cỗ Tày",
     "Học làm khau nhục, bánh cuốn trứng cùng gia đình chủ nhà.", "G6", 0, "", "", "",
     "nhóm 4 người", 900000, 4, 0},
    {9, "DEMO-YTN-NEP", "Gạo nếp Yên Thổ", "Nếp nương một vụ, đồ xôi dẻo lâu.", "G1", 3,
     "1188/QĐ-UBND", "2021-06-18", kDistrict, "túi 5 kg", 210000, 60, 5000},
    {9, "DEMO-YTN-XOINGU", "Gói lá nhuộm xôi ngũ sắc",
     "Lá cẩm, nghệ, lá dứa, gấc phơi khô để nhuộm xôi.", "G1", 0, "", "", "", "gói", 40000, 30,
     100},
    {9, "DEMO-YTN-COM", "Cốm nếp non", "Cốm giã tay mùa lúa nếp non tháng 9.", "G1", 0, "", "", "",
     "gói 500 g", 90000, 0, 500},
    {10, "DEMO-HS-GIOMAY", "Giỏ mây đan tay", "Giỏ mây rừng đan nong mốt, quai tre.", "G5", 3,
     "2214/QĐ-UBND", "2022-11-03", kDistrict, "chiếc", 180000, 15, 600},
    {10, "DEMO-HS-KHAYGO", "Khay gỗ nghiến", "Khay gỗ nghiến nguyên tấm, đánh dầu lạc.", "G5", 0,
     "", "", "", "chiếc", 350000, 8, 1200},
    {10, "DEMO-HS-THOTGO", "Thớt gỗ nghiến", "Thớt tròn đường kính 35 cm.", "G5", 0, "", "", "",
     "chiếc", 420000, 0, 2500},
    {11, "DEMO-CP-RUOUNGO", "Rượu ngô men lá Cốc Pàng", "Rượu ngô nấu men lá rừng, hạ thổ 6 tháng.",
     "G2", 3, "1189/QĐ-UBND", "2021-06-18", kDistrict, "chai 500 ml", 120000, 40, 900},
    {11, "DEMO-CP-TRADANGSAM", "Trà đẳng sâm", "Rễ đẳng sâm thái lát sấy, pha trà hoặc hầm gà.",
     "G3", 4, "2411/QĐ-UBND", "2024-10-08", kProvince, "hộp 200 g", 240000, 20, 250},
    {11, "DEMO-CP-CAOXUONG", "Dầu xoa bóp thảo dược",
     "Dầu chiết từ gừng, quế, lá dầu giun theo bài thuốc người Dao.", "G3", 0, "", "", "",
     "lọ 50 ml", 85000, 50, 90},
};

std::string_view escape_char(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    default:
      return {};
  }
}

}  // namespace

std::string demo_photo_svg(std::string_view product_name, std::string_view ocop_group) {
  struct Style {
    std::string_view group, background, accent, shape;
  };
  // One colour and one simple shape per group.
  static constexpr Style kStyles[] = {
      {"G1", "#f4e3c1", "#c8772e", R"svg(<circle cx="200" cy="120" r="70" fill="#c8772e"/>)svg"},
      {"G2", "#dcefd6", "#3f7d3a",
       R"svg(<rect x="150" y="70" width="100" height="110" rx="12" fill="#3f7d3a"/><path d="M250 95 h25 a20 20 0 0 1 0 50 h-25" fill="none" stroke="#3f7d3a" stroke-width="12"/>)svg"},
      {"G3", "#e3f0e9", "#2e7d5b",
       R"svg(<ellipse cx="200" cy="120" rx="45" ry="80" transform="rotate(35 200 120)" fill="#2e7d5b"/>)svg"},
      {"G4", "#f3dce6", "#a4285a",
       R"svg(<path d="M200 50 L270 120 L200 190 L130 120 Z" fill="#a4285a"/><path d="M200 85 L235 120 L200 155 L165 120 Z" fill="#f3dce6"/>)svg"},
      {"G5", "#efe6da", "#7a5533",
       R"svg(<path d="M200 50 L275 190 L125 190 Z" fill="#7a5533"/>)svg"},
      {"G6", "#dde9f5", "#2d5f8f",
       R"svg(<path d="M60 200 L150 80 L210 150 L260 100 L340 200 Z" fill="#2d5f8f"/>)svg"},
  };
  const Style* style = &kStyles[0];
  for (const auto& s : kStyles) {
    if (s.group == ocop_group) style = &s;
  }
  std::string name;
  for (char c : product_name) {
    auto e = escape_char(c);
    if (e.empty()) {
      name.push_back(c);
    } else {
      name += e;
    }
  }
  std::string svg =
      R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">)svg";
  svg += R"svg(<rect width="400" height="300" fill=")svg";
  svg += style->background;
  svg += R"svg("/>)svg";
  svg += style->shape;
  svg +=
      R"svg(<text x="200" y="255" text-anchor="middle" font-family="sans-serif" font-size="22" fill=")svg";
  svg += style->accent;
  svg += R"svg(">)svg";
  svg += name;
  svg += "</text></svg>\n";
  return svg;
}

Result<DemoReport> load_demo(Database& db, const Clock& clock) {
  AreaStore areas(db);
  if (auto loaded = areas.load_default(); !loaded) return loaded.error();

  DemoReport report;
  auto tx = db.begin();
  if (!tx) return tx.error();
  ProducerStore producers(db, clock);
  ProductStore products(db, clock);
  std::vector<int64_t> ids;
  for (const auto& d : kProducers) {
    auto existing = db.prepare("SELECT id FROM producers WHERE registration_no = ?1");
    if (!existing) return existing.error();
    existing->bind(1, d.registration_no);
    auto row = existing->step();
    if (!row) return row.error();
    if (*row) {
      ids.push_back(existing->column_int(0));
      continue;
    }
    ProducerFields f;
    f.name = d.name;
    f.entity_type = d.type;
    f.area_code = d.area_code;
    f.area_valid_from = "2025-07-01";
    f.phone = d.phone;
    f.address = d.address;
    f.bank = BankAccount{std::string(d.bin), std::string(d.account), std::string(d.holder)};
    f.social.facebook = d.facebook;
    f.social.zalo = d.zalo;
    f.registration_no = d.registration_no;
    f.representative = d.representative;
    f.ocop_registered_year = 2021;
    auto created = producers.create(std::move(f));
    if (!created) return created.error();
    ids.push_back(created->id);
    ++report.producers_added;
  }
  for (const auto& d : kProducts) {
    auto existing = products.find_by_sku(d.sku);
    if (existing) continue;
    if (existing.error().code != ErrorCode::not_found) return existing.error();
    ProductFields f;
    f.sku = d.sku;
    f.name = d.name;
    f.description = d.description;
    f.ocop_group = d.group;
    if (d.stars != 0) {
      f.certificate = OcopCertificate{d.stars, std::string(d.decision_no),
                                      std::string(d.decision_date), std::string(d.issuer)};
    }
    f.unit = d.unit;
    f.price_vnd = d.price_vnd;
    f.stock = d.stock;
    if (d.weight_g > 0) f.weight_g = d.weight_g;
    f.status = ProductStatus::active;
    auto created = products.create(ids[static_cast<size_t>(d.producer)], std::move(f));
    if (!created) return created.error();
    ++report.products_added;
    auto photo =
        products.add_photo(created->id, demo_photo_svg(d.name, d.group), "image/svg+xml", 400, 300);
    if (!photo) return photo.error();
    ++report.photos_added;
  }
  if (auto done = tx->commit(); !done) return done.error();
  return report;
}

}  // namespace chophien::core
