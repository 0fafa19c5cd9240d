// The producer's products in the workspace over real HTTP: create through the form and find the
// product in the shop, the messages for bad input with nothing written, edit and archive, the CSV
// download and upload (all rows or none), helper mode, and the refusals (another producer's
// product by URL, no CSRF token), and the photos uploaded from a phone (a real PNG, refusals of
// what is not an image or too large, main photo, removal).
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <string>

#include "core/audit.h"
#include "core/products.h"
#include "qr/image.h"
#include "storefront/auth.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using fixtures::Browser;

class WorkspaceProducts : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    server_ = std::make_unique<TestServer>(TestServer::quiet_config(), [this](core::Database& db) {
      ids_ = fixtures::prepare_workspace(db);
    });
    server_->clock().set(fixtures::workspace_now());
  }

  std::vector<core::Product> products_of(int64_t producer) {
    auto db = server_->db().acquire().value();
    return core::ProductStore(*db, server_->clock()).list_by_producer(producer).value();
  }
  core::Product product(int64_t id) {
    auto db = server_->db().acquire().value();
    return core::ProductStore(*db, server_->clock()).find(id).value();
  }
  std::vector<core::AuditEntry> log() {
    auto db = server_->db().acquire().value();
    return core::AuditLog(*db, server_->clock()).recent(100).value();
  }

  static httplib::Params good_form() {
    return {{"name", "Thạch đen <b>Bảo Lâm</b>"},
            {"description", "Thạch đen nấu từ cây sương sáo"},
            {"ocop_group", "G1"},
            {"stars", "3"},
            {"decision_no", "45/QĐ-UBND"},
            {"decision_date", "2025-09-01"},
            {"issuer", "UBND tỉnh Cao Bằng"},
            {"unit", "hộp 1 kg"},
            {"price", "85.000"},
            {"stock", "12"},
            {"weight", "1100"},
            {"status", "active"}};
  }

  std::unique_ptr<TestServer> server_;
  fixtures::WorkspaceIds ids_;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(WorkspaceProducts, ProducerAddsAProductAndTheShopShowsIt) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto form = browser.get("/quan-ly/san-pham/moi");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "<label for=\"price\">"));
  auto res = browser.post("/quan-ly/san-pham", good_form());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303) << res->body;
  auto list = products_of(ids_.producer_a);
  ASSERT_EQ(list.size(), 3u);
  const core::Product& made = list.back();
  EXPECT_EQ(made.fields.name, "Thạch đen <b>Bảo Lâm</b>");
  EXPECT_EQ(made.fields.price_vnd, 85000);
  EXPECT_EQ(made.fields.stock, 12);
  EXPECT_EQ(made.fields.weight_g, 1100);
  ASSERT_TRUE(made.fields.certificate);
  EXPECT_EQ(made.fields.certificate->stars, 3);

  auto page = browser.get(res->get_header_value("Location"));
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, "Đã lưu sản phẩm."));
  EXPECT_TRUE(has(page->body, "Thạch đen &lt;b&gt;Bảo Lâm&lt;/b&gt;"));  // inert
  EXPECT_FALSE(has(page->body, "<b>Bảo Lâm</b>"));
  EXPECT_TRUE(has(page->body, "85.000"));

  httplib::Client shop = server_->client();
  auto found = shop.Get("/?q=thach+den");
  ASSERT_TRUE(found);
  EXPECT_TRUE(has(found->body, "/san-pham/" + std::to_string(made.id))) << found->body;

  // The edit form shows what was saved (the description too), and saving it again keeps it.
  auto edit = browser.get("/quan-ly/san-pham/" + std::to_string(made.id));
  ASSERT_TRUE(edit);
  EXPECT_TRUE(has(edit->body, ">Thạch đen nấu từ cây sương sáo</textarea>")) << edit->body;

  auto entries = log();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "product.create");
  EXPECT_FALSE(entries[0].on_behalf);
}

TEST_F(WorkspaceProducts, BadInputShowsAMessagePerFieldAndWritesNothing) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  browser.get("/quan-ly/san-pham/moi");
  struct Case {
    const char* field;
    const char* value;
    const char* message;
  };
  for (const Case& c :
       {Case{"price", "12a", "Giá phải là số đồng"}, Case{"price", "-5", "Giá phải là số đồng"},
        Case{"price", "99.999.999.999", "Giá phải là số đồng"}, Case{"stock", "", "Số lượng tồn"},
        Case{"weight", "0", "Khối lượng"}, Case{"name", "", "Hãy nhập tên sản phẩm"},
        Case{"unit", "  ", "Hãy nhập đơn vị bán"}, Case{"stars", "6", "Số sao OCOP"},
        Case{"issuer", "", "cần đủ số quyết định"},
        Case{"decision_date", "2025-02-30", "Ngày quyết định"},
        Case{"ocop_group", "G9", "nhóm sản phẩm OCOP"}, Case{"status", "archived", "trạng thái"},
        Case{"sku", "có dấu", "Mã SKU"}}) {
    httplib::Params form = good_form();
    form.erase(c.field);
    form.emplace(c.field, c.value);
    auto res = browser.post("/quan-ly/san-pham", form);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.field << "=" << c.value;
    EXPECT_TRUE(has(res->body, c.message)) << c.field << "=" << c.value;
    // What was typed is shown again.
    EXPECT_TRUE(has(res->body, "value=\"hộp 1 kg\"") || std::string(c.field) == "unit");
  }
  EXPECT_EQ(products_of(ids_.producer_a).size(), 2u);
  EXPECT_TRUE(log().empty());
}

TEST_F(WorkspaceProducts, EditAndArchive) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const std::string path = "/quan-ly/san-pham/" + std::to_string(ids_.mien);
  auto form = browser.get(path);
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "value=\"Miến dong Bảo Lâm\""));
  EXPECT_TRUE(has(form->body, "value=\"120000\""));
  httplib::Params edit = {{"name", "Miến dong Bảo Lâm loại 1"},
                          {"description", "Đặc sản"},
                          {"ocop_group", "G1"},
                          {"stars", "3"},
                          {"decision_no", "12/QĐ-UBND"},
                          {"decision_date", "2023-06-10"},
                          {"issuer", "UBND tỉnh Cao Bằng"},
                          {"unit", "gói 500 g"},
                          {"price", "125000"},
                          {"stock", "40"},
                          {"status", "active"},
                          {"sku", product(ids_.mien).fields.sku}};
  auto saved = browser.post(path, edit);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 303);
  EXPECT_EQ(product(ids_.mien).fields.price_vnd, 125000);
  EXPECT_EQ(product(ids_.mien).fields.name, "Miến dong Bảo Lâm loại 1");

  auto archived = browser.post(path + "/luu-tru", {});
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->status, 303);
  EXPECT_EQ(product(ids_.mien).fields.status, core::ProductStatus::archived);
  httplib::Client shop = server_->client();
  auto gone = shop.Get("/?q=mien+dong");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(has(gone->body, "/san-pham/" + std::to_string(ids_.mien) + "\""));
  // Still editable, and stays archived.
  auto again = browser.get(path);
  ASSERT_TRUE(again);
  EXPECT_TRUE(has(again->body, "<option value=\"archived\" selected>"));

  auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "product.archive");
  EXPECT_EQ(entries[1].action, "product.update");
}

TEST_F(WorkspaceProducts, AnotherProducersProductIsNotFoundAndUnchanged) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const std::string path = "/quan-ly/san-pham/" + std::to_string(ids_.che);
  auto read = browser.get(path);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 404);
  EXPECT_FALSE(has(read->body, "Chè Shan tuyết"));
  httplib::Params form = good_form();
  auto write = browser.post(path, form);
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 404);
  auto archive = browser.post(path + "/luu-tru", {});
  ASSERT_TRUE(archive);
  EXPECT_EQ(archive->status, 404);
  const core::Product che = product(ids_.che);
  EXPECT_EQ(che.fields.name, "Chè Shan tuyết");
  EXPECT_EQ(che.fields.status, core::ProductStatus::active);
  EXPECT_EQ(che.producer_id, ids_.producer_b);
  // A producer_id field smuggled into the create form is ignored: the product is A's.
  form.emplace("producer_id", std::to_string(ids_.producer_b));
  auto made = browser.post("/quan-ly/san-pham", form);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->status, 303);
  EXPECT_EQ(products_of(ids_.producer_b).size(), 1u);
  EXPECT_EQ(products_of(ids_.producer_a).size(), 3u);
}

TEST_F(WorkspaceProducts, FormsWithoutTheCsrfTokenChangeNothing) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  httplib::Params form = good_form();
  form.emplace("csrf_token", "0000");
  auto res = browser.post("/quan-ly/san-pham", form);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  auto archive = browser.post("/quan-ly/san-pham/" + std::to_string(ids_.mien) + "/luu-tru",
                              {{"csrf_token", "0000"}});
  ASSERT_TRUE(archive);
  EXPECT_EQ(archive->status, 403);
  EXPECT_EQ(products_of(ids_.producer_a).size(), 2u);
  EXPECT_EQ(product(ids_.mien).fields.status, core::ProductStatus::active);
}

TEST_F(WorkspaceProducts, CsvDownloadAndUploadAllOrNothing) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  auto csv = browser.get("/quan-ly/san-pham.csv");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body.rfind("\xEF\xBB\xBF", 0), 0u);  // BOM for spreadsheets
  EXPECT_TRUE(has(csv->body, "Miến dong Bảo Lâm"));
  EXPECT_FALSE(has(csv->body, "Chè Shan tuyết"));

  auto upload = [&](const std::string& content, const std::string& token) {
    httplib::Client client = server_->client();
    std::string cookie;
    for (const auto& [name, value] : browser.cookies()) cookie += name + "=" + value + "; ";
    httplib::MultipartFormDataItems items = {{"csrf_token", token, "", ""},
                                             {"file", content, "san-pham.csv", "text/csv"}};
    return client.Post("/quan-ly/san-pham/nhap-csv", {{"Cookie", cookie}}, items);
  };
  const std::string header =
      "sku,name,description,ocop_group,ocop_stars,decision_no,decision_date,issuer,unit,"
      "price_vnd,stock,weight_g,status\r\n";
  const std::string bad = header + ",Mứt gừng,,G1,,,,,hộp,45000,10,,active\r\n" +
                          ",Rượu ngô,,G1,,,,,chai,abc,5,,active\r\n";
  auto refused = upload(bad, browser.csrf());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(has(refused->body, "Không nhập dòng nào")) << refused->body;
  EXPECT_TRUE(has(refused->body, "price_vnd"));
  EXPECT_EQ(products_of(ids_.producer_a).size(), 2u);

  auto forged = upload(header + ",Mứt gừng,,G1,,,,,hộp,45000,10,,active\r\n", "0000");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(products_of(ids_.producer_a).size(), 2u);

  auto good = upload(header + ",Mứt gừng,,G1,,,,,hộp,45000,10,,active\r\n", browser.csrf());
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  EXPECT_TRUE(has(good->body, "1 sản phẩm mới")) << good->body;
  EXPECT_EQ(products_of(ids_.producer_a).size(), 3u);

  auto empty = upload("", browser.csrf());
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
}

TEST_F(WorkspaceProducts, AnOfficerInHelperModeAddsForTheProducerOnTheirBehalf) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("canbo"));
  // Not helping anyone: the product pages send the officer to pick a producer.
  auto picked = browser.get("/quan-ly/san-pham");
  ASSERT_TRUE(picked);
  EXPECT_EQ(picked->status, 303);
  ASSERT_EQ(browser.post("/quan-ly/ho-tro/" + std::to_string(ids_.producer_b), {})->status, 303);
  auto list = browser.get("/quan-ly/san-pham");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  EXPECT_TRUE(has(list->body, "Chè Shan tuyết"));
  EXPECT_FALSE(has(list->body, "Miến dong"));
  auto res = browser.post("/quan-ly/san-pham", good_form());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(products_of(ids_.producer_b).size(), 2u);
  auto entries = log();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "product.create");
  EXPECT_TRUE(entries[0].on_behalf);
  EXPECT_EQ(entries[0].producer_id, ids_.producer_b);
  EXPECT_EQ(entries[0].user_name, "Cán bộ Hà");
}

TEST_F(WorkspaceProducts, PhotosUploadedFromAPhoneAreCheckedStoredAndShownInTheShop) {
  Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const std::string edit = "/quan-ly/san-pham/" + std::to_string(ids_.mien);
  auto form = browser.get(edit);
  ASSERT_TRUE(form);
  ASSERT_EQ(form->status, 200);
  EXPECT_TRUE(has(form->body, "enctype=\"multipart/form-data\""));
  EXPECT_TRUE(has(form->body, "Chưa có ảnh."));

  auto upload = [&](const std::string& path, const std::string& bytes, const std::string& token) {
    httplib::Client client = server_->client();
    std::string cookie;
    for (const auto& [name, value] : browser.cookies()) cookie += name + "=" + value + "; ";
    httplib::MultipartFormDataItems items = {{"csrf_token", token, "", ""},
                                             {"photo", bytes, "IMG_0001.png", "image/png"}};
    return client.Post(path, {{"Cookie", cookie}}, items);
  };
  auto photos = [&](int64_t product) {
    auto db = server_->db().acquire().value();
    return core::ProductStore(*db, server_->clock()).photos(product).value();
  };
  // Real PNGs (QR codes of two texts), 296 px square.
  const std::string first = qr::render_png("Miến dong Bảo Lâm").value.value();
  const std::string second = qr::render_png("Miến dong, gói 500 g").value.value();

  auto added = upload(edit + "/anh", first, browser.csrf());
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 303) << added->body;
  EXPECT_EQ(added->get_header_value("Location"), edit + "#anh");
  auto stored = photos(ids_.mien);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].content_type, "image/png");
  EXPECT_FALSE(stored[0].variant_widths.empty());
  const std::string src = "/anh/" + stored[0].sha256 + "-";
  auto page = browser.get(edit);
  ASSERT_TRUE(page);
  EXPECT_TRUE(has(page->body, src)) << page->body;
  EXPECT_TRUE(has(page->body, "Ảnh chính"));

  httplib::Client shop = server_->client();
  auto product_page = shop.Get("/san-pham/" + std::to_string(ids_.mien));
  ASSERT_TRUE(product_page);
  const std::string small = src + std::to_string(stored[0].variant_widths.front()) + ".webp";
  EXPECT_TRUE(has(product_page->body, small)) << product_page->body;
  auto image = shop.Get(small);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->status, 200);
  EXPECT_EQ(image->get_header_value("Content-Type"), "image/webp");

  // Refusals: the form again with the message under the field, nothing stored.
  auto not_image = upload(edit + "/anh", "%PDF-1.7 not a photo", browser.csrf());
  ASSERT_TRUE(not_image);
  EXPECT_EQ(not_image->status, 400);
  EXPECT_TRUE(has(not_image->body, "id=\"e-photo\">Tệp không phải ảnh JPEG, PNG hay WebP."))
      << not_image->body;
  std::string huge = first;
  huge.resize(core::kMaxPhotoBytes + 1, '\0');
  auto too_large = upload(edit + "/anh", huge, browser.csrf());
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  EXPECT_TRUE(has(too_large->body, "Ảnh lớn hơn 7 MB"));
  auto cut = upload(edit + "/anh", second.substr(0, second.size() / 2), browser.csrf());
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->status, 400);
  EXPECT_TRUE(has(cut->body, "Ảnh bị hỏng"));
  auto empty = upload(edit + "/anh", "", browser.csrf());
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  auto forged = upload(edit + "/anh", second, "0000");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  const std::string others = "/quan-ly/san-pham/" + std::to_string(ids_.che);
  auto theirs = upload(others + "/anh", second, browser.csrf());
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 404);
  EXPECT_EQ(photos(ids_.mien).size(), 1u);
  EXPECT_TRUE(photos(ids_.che).empty());

  // A second photo, made the main one, then the first removed.
  ASSERT_EQ(upload(edit + "/anh", second, browser.csrf())->status, 303);
  stored = photos(ids_.mien);
  ASSERT_EQ(stored.size(), 2u);
  const int64_t first_id = stored[0].id, second_id = stored[1].id;
  auto main = browser.post(edit + "/anh/" + std::to_string(second_id) + "/len-dau", {});
  ASSERT_TRUE(main);
  EXPECT_EQ(main->status, 303);
  stored = photos(ids_.mien);
  EXPECT_EQ(stored[0].id, second_id);
  // Another product's URL with this product's photo, and a photo of no product: 404.
  const std::string mat_ong = "/quan-ly/san-pham/" + std::to_string(ids_.mat_ong);
  auto wrong = browser.post(mat_ong + "/anh/" + std::to_string(first_id) + "/xoa", {});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 404);
  auto unknown = browser.post(edit + "/anh/999999/xoa", {});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto removed = browser.post(edit + "/anh/" + std::to_string(first_id) + "/xoa", {});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 303);
  stored = photos(ids_.mien);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, second_id);
  EXPECT_EQ(stored[0].position, 0);

  std::vector<std::string> actions;
  for (const auto& entry : log()) actions.push_back(entry.action);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "product.photo_add"), 2);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "product.photo_main"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "product.photo_remove"), 1);
}

}  // namespace
}  // namespace chophien::storefront
