#include "core/indicators.h"

#include <algorithm>
#include <array>
#include <climits>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/products.h"
#include "core/summaries.h"

namespace chophien::core {
namespace {

struct Channel {
  std::string_view code;
  std::string_view name_vi;
  std::string_view name_en;
};

constexpr std::array<Channel, 10> kChannels = {{
    {"storefront", "gian hàng chophien", "chophien storefront"},
    {"stall_qr", "QR tại quầy", "stall QR"},
    {"shopee", "Shopee", "Shopee"},
    {"lazada", "Lazada", "Lazada"},
    {"tiktok_shop", "TikTok Shop", "TikTok Shop"},
    {"postmart", "postmart.vn", "postmart.vn"},
    {"voso", "voso.vn", "voso.vn"},
    {"social", "mạng xã hội", "social networks"},
    {"cash", "bán trực tiếp", "direct sales"},
    {"other", "khác", "other"},
}};
constexpr size_t kChannelCount = kChannels.size();

bool is_platform(std::string_view c) {
  return c == "shopee" || c == "lazada" || c == "tiktok_shop" || c == "postmart" || c == "voso";
}
bool is_online(std::string_view c) { return c == "storefront" || is_platform(c); }

int channel_index(std::string_view c) {
  for (size_t i = 0; i < kChannelCount; ++i)
    if (kChannels[i].code == c) return static_cast<int>(i);
  return -1;
}

std::vector<IndicatorDefinition> build_definitions() {
  using U = FigureUnit;
  std::vector<IndicatorDefinition> d;
  d.push_back({"producers", "Số chủ thể", "Producers", U::count,
               "Chủ thể đăng ký trong địa bàn và hoạt động trong kỳ (đăng ký trước cuối kỳ, chưa "
               "ngừng hoạt động trước đầu kỳ)."});
  d.push_back({"ocop_products_valid", "Số sản phẩm OCOP còn hiệu lực", "Valid OCOP products",
               U::count,
               "Sản phẩm có giấy chứng nhận OCOP 3–5 sao còn hiệu lực vào ngày cuối kỳ (36 tháng "
               "từ ngày quyết định, trừ khi bị thu hồi), của chủ thể trong địa bàn."});
  for (int stars = 3; stars <= 5; ++stars)
    d.push_back({"ocop_products_valid.stars_" + std::to_string(stars),
                 "Số sản phẩm OCOP còn hiệu lực — " + std::to_string(stars) + " sao",
                 "Valid OCOP products, " + std::to_string(stars) + " stars", U::count,
                 "Như ocop_products_valid, chỉ hạng " + std::to_string(stars) + " sao."});
  for (int g = 1; g <= 6; ++g)
    d.push_back({"ocop_products_valid.g" + std::to_string(g),
                 "Số sản phẩm OCOP còn hiệu lực — nhóm G" + std::to_string(g),
                 "Valid OCOP products, group G" + std::to_string(g), U::count,
                 "Như ocop_products_valid, chỉ nhóm sản phẩm G" + std::to_string(g) + "."});
  d.push_back(
      {"ecom_producer_rate", "Tỷ lệ chủ thể bán hàng trên sàn TMĐT",
       "Share of producers selling on e-commerce platforms", U::ratio,
       "Chủ thể (trong số producers) có ít nhất một sản phẩm niêm yết đang bán trên sàn TMĐT "
       "(Shopee, Lazada, TikTok Shop) vào lúc nào đó trong kỳ, hoặc có giao dịch bán trên sàn "
       "(kể cả postmart, voso) trong kỳ ÷ producers."});
  d.push_back(
      {"ocop_ecom_product_rate", "Tỷ lệ sản phẩm OCOP được đưa lên sàn TMĐT",
       "Share of valid OCOP products listed on e-commerce platforms", U::ratio,
       "Sản phẩm OCOP còn hiệu lực (trong ocop_products_valid) có niêm yết đang bán trên sàn "
       "TMĐT vào lúc nào đó trong kỳ ÷ ocop_products_valid. Chỉ tính niêm yết đăng qua "
       "chophien."});
  d.push_back({"social_selling_rate", "Tỷ lệ chủ thể sử dụng mạng xã hội để bán hàng",
               "Share of producers selling through social networks", U::ratio,
               "Chủ thể khai báo kênh bán trên mạng xã hội (Zalo, Facebook, TikTok) hoặc có giao "
               "dịch qua mạng xã hội trong kỳ ÷ producers."});
  d.push_back({"qr_acceptance_rate", "Tỷ lệ chủ thể chấp nhận thanh toán QR",
               "Share of producers accepting QR payments", U::ratio,
               "Chủ thể có tài khoản nhận tiền VietQR đầy đủ (mã ngân hàng, số tài khoản, chủ tài "
               "khoản) ÷ producers."});
  d.push_back({"cashless_order_rate", "Tỷ lệ giao dịch không dùng tiền mặt",
               "Share of cashless sales (count)", U::ratio,
               "Giao dịch bán trong kỳ thanh toán bằng chuyển khoản, QR, ví điện tử, thẻ hoặc qua "
               "sàn ÷ mọi giao dịch bán trong kỳ (hoàn tiền không tính là giao dịch)."});
  d.push_back(
      {"cashless_value_rate", "Tỷ trọng giá trị thanh toán không dùng tiền mặt",
       "Share of cashless sales (value)", U::ratio,
       "Giá trị bán không dùng tiền mặt trong kỳ, trừ hoàn tiền ÷ tổng giá trị bán trong kỳ, "
       "trừ hoàn tiền."});
  d.push_back({"online_revenue_vnd", "Doanh thu bán hàng trực tuyến", "Online revenue", U::vnd,
               "Doanh thu qua gian hàng chophien và các sàn TMĐT trong kỳ, trừ hoàn tiền."});
  for (const auto& c : kChannels)
    if (is_online(c.code))
      d.push_back({"online_revenue_vnd." + std::string(c.code),
                   "Doanh thu bán hàng trực tuyến — " + std::string(c.name_vi),
                   "Online revenue, " + std::string(c.name_en), U::vnd,
                   "Như online_revenue_vnd, chỉ kênh " + std::string(c.name_vi) + "."});
  d.push_back(
      {"marketplace_orders", "Số giao dịch trên sàn TMĐT", "Marketplace orders", U::count,
       "Đơn bán đã hoàn tất trên sàn TMĐT trong kỳ (dòng bán trong sổ; hoàn tiền ghi riêng, "
       "không trừ số đơn)."});
  for (const auto& c : kChannels)
    if (is_platform(c.code))
      d.push_back({"marketplace_orders." + std::string(c.code),
                   "Số giao dịch trên sàn TMĐT — " + std::string(c.name_vi),
                   "Marketplace orders, " + std::string(c.name_en), U::count,
                   "Như marketplace_orders, chỉ sàn " + std::string(c.name_vi) + "."});
  d.push_back({"revenue_vnd", "Tổng doanh thu ghi nhận", "Recorded revenue", U::vnd,
               "Mọi giao dịch bán ghi nhận trong kỳ, trừ hoàn tiền."});
  for (const auto& c : kChannels)
    d.push_back({"revenue_vnd." + std::string(c.code),
                 "Tổng doanh thu ghi nhận — " + std::string(c.name_vi),
                 "Recorded revenue, " + std::string(c.name_en), U::vnd,
                 "Như revenue_vnd, chỉ kênh " + std::string(c.name_vi) + "."});
  d.push_back({"training_events", "Số lớp tập huấn", "Training events", U::count,
               "Lớp tập huấn chuyển đổi số tổ chức trong kỳ, do cán bộ nhập (tự khai)."});
  d.push_back({"training_participants", "Số lượt người tham gia tập huấn", "Training participants",
               U::count,
               "Tổng số người tham gia các lớp tập huấn trong kỳ, do cán bộ nhập (tự khai)."});
  return d;
}

// What one output area adds up.
struct Tally {
  int64_t producers = 0;
  int64_t ocop = 0;
  int64_t ocop_listed = 0;
  std::array<int64_t, 3> stars{};
  std::array<int64_t, 6> groups{};
  int64_t ecom = 0;
  bool ecom_hand = false;
  int64_t social = 0;
  bool social_hand = false;
  int64_t qr = 0;
  int64_t paid_count = 0, cashless_count = 0, paid_vnd = 0, cashless_vnd = 0;
  bool paid_hand = false;
  std::array<int64_t, kChannelCount> revenue{};
  std::array<int64_t, kChannelCount> orders{};
  std::array<bool, kChannelCount> channel_hand{};
  int64_t training_events = 0, training_participants = 0;
};

FigureSource source_of(bool hand) {
  return hand ? FigureSource::self_declared : FigureSource::system;
}

Figure count_figure(std::string code, int64_t n, bool hand = false) {
  return Figure{std::move(code), n, std::nullopt, static_cast<double>(n), FigureUnit::count,
                source_of(hand)};
}
Figure vnd_figure(std::string code, int64_t n, bool hand) {
  return Figure{std::move(code), n, std::nullopt, static_cast<double>(n), FigureUnit::vnd,
                source_of(hand)};
}
Figure rate_figure(std::string code, std::optional<int64_t> num, int64_t den, bool hand) {
  std::optional<double> value;
  if (num && den > 0) value = static_cast<double>(*num) / static_cast<double>(den);
  return Figure{std::move(code), num, den, value, FigureUnit::ratio, source_of(hand)};
}

std::vector<Figure> figures_of(const Tally& t) {
  std::vector<Figure> f;
  f.push_back(count_figure("producers", t.producers));
  f.push_back(count_figure("ocop_products_valid", t.ocop));
  for (int s = 0; s < 3; ++s)
    f.push_back(count_figure("ocop_products_valid.stars_" + std::to_string(s + 3), t.stars[s]));
  for (int g = 0; g < 6; ++g)
    f.push_back(count_figure("ocop_products_valid.g" + std::to_string(g + 1), t.groups[g]));
  f.push_back(rate_figure("ecom_producer_rate", t.ecom, t.producers, t.ecom_hand));
  f.push_back(rate_figure("ocop_ecom_product_rate", t.ocop_listed, t.ocop, false));
  f.push_back(rate_figure("social_selling_rate", t.social, t.producers, t.social_hand));
  f.push_back(rate_figure("qr_acceptance_rate", t.qr, t.producers, false));
  f.push_back(rate_figure("cashless_order_rate", t.cashless_count, t.paid_count, t.paid_hand));
  f.push_back(rate_figure("cashless_value_rate", t.cashless_vnd, t.paid_vnd, t.paid_hand));
  int64_t online = 0, orders = 0, revenue = 0;
  bool online_hand = false, orders_hand = false, revenue_hand = false;
  for (size_t i = 0; i < kChannelCount; ++i) {
    revenue += t.revenue[i];
    revenue_hand |= t.channel_hand[i];
    if (is_online(kChannels[i].code)) {
      online += t.revenue[i];
      online_hand |= t.channel_hand[i];
    }
    if (is_platform(kChannels[i].code)) {
      orders += t.orders[i];
      orders_hand |= t.channel_hand[i];
    }
  }
  f.push_back(vnd_figure("online_revenue_vnd", online, online_hand));
  for (size_t i = 0; i < kChannelCount; ++i)
    if (is_online(kChannels[i].code))
      f.push_back(vnd_figure("online_revenue_vnd." + std::string(kChannels[i].code), t.revenue[i],
                             t.channel_hand[i]));
  f.push_back(count_figure("marketplace_orders", orders, orders_hand));
  for (size_t i = 0; i < kChannelCount; ++i)
    if (is_platform(kChannels[i].code))
      f.push_back(count_figure("marketplace_orders." + std::string(kChannels[i].code), t.orders[i],
                               t.channel_hand[i]));
  f.push_back(vnd_figure("revenue_vnd", revenue, revenue_hand));
  for (size_t i = 0; i < kChannelCount; ++i)
    f.push_back(vnd_figure("revenue_vnd." + std::string(kChannels[i].code), t.revenue[i],
                           t.channel_hand[i]));
  f.push_back(count_figure("training_events", t.training_events, t.training_events > 0));
  f.push_back(
      count_figure("training_participants", t.training_participants, t.training_events > 0));
  return f;
}

bool overlaps(const Area& a, Date from, Date to) {
  const std::string f = format_iso_date(from), t = format_iso_date(to);
  return a.key.valid_from <= t && (!a.valid_to || *a.valid_to > f);
}

bool level_matches(std::string_view by_level, std::string_view level) {
  if (by_level == "commune")
    return level == "commune" || level == "township" || level == "ward" || level == "special_zone";
  return by_level == level;
}

// The areas and successions, in memory: the reports walk them per unit.
class AreaMap {
 public:
  Result<void> load(Database& db) {
    auto s = db.prepare(
        "SELECT code, valid_from, valid_to, level, name_vi, full_name_vi, name_en, parent_code, "
        "parent_valid_from, legal_basis FROM areas ORDER BY code, valid_from");
    if (!s) return s.error();
    for (;;) {
      auto more = s->step();
      if (!more) return more.error();
      if (!*more) break;
      Area a;
      a.key = {s->column_text(0), s->column_text(1)};
      a.valid_to = s->column_optional_text(2);
      a.level = s->column_text(3);
      a.name_vi = s->column_text(4);
      a.full_name_vi = s->column_text(5);
      a.name_en = s->column_text(6);
      if (!s->column_is_null(7)) a.parent = AreaKey{s->column_text(7), s->column_text(8)};
      a.legal_basis = s->column_text(9);
      areas_.emplace(a.key, std::move(a));
    }
    auto succ = db.prepare(
        "SELECT old_code, old_valid_from, new_code, new_valid_from FROM area_successions "
        "ORDER BY new_code, new_valid_from");
    if (!succ) return succ.error();
    for (;;) {
      auto more = succ->step();
      if (!more) return more.error();
      if (!*more) break;
      successors_[AreaKey{succ->column_text(0), succ->column_text(1)}].push_back(
          AreaKey{succ->column_text(2), succ->column_text(3)});
    }
    return {};
  }

  const Area* find(const AreaKey& key) const {
    auto it = areas_.find(key);
    return it == areas_.end() ? nullptr : &it->second;
  }
  const std::map<AreaKey, Area>& all() const { return areas_; }

  // The unit valid on `date` that `key` became (the first by code when split); `key` itself
  // when it is valid then, unknown, or its trail ends.
  AreaKey valid_successor(const AreaKey& key, Date date) const {
    std::deque<AreaKey> queue{key};
    std::set<AreaKey> seen;
    std::optional<AreaKey> best;
    while (!queue.empty()) {
      AreaKey k = std::move(queue.front());
      queue.pop_front();
      if (!seen.insert(k).second) continue;
      const Area* a = find(k);
      if (!a) continue;
      if (a->valid_on(date)) {
        if (!best || k < *best) best = k;
        continue;
      }
      if (auto it = successors_.find(k); it != successors_.end())
        for (const auto& n : it->second) queue.push_back(n);
    }
    return best ? *best : key;
  }

 private:
  std::map<AreaKey, Area> areas_;
  std::map<AreaKey, std::vector<AreaKey>> successors_;
};

}  // namespace

std::string_view basis_name(Basis basis) {
  return basis == Basis::as_dated ? "as_dated" : "rebased";
}
std::string_view basis_name_vi(Basis basis) {
  return basis == Basis::as_dated ? "theo đơn vị tại thời điểm phát sinh"
                                  : "quy đổi về đơn vị hiện hành";
}
std::optional<Basis> parse_basis(std::string_view name) {
  if (name == "as_dated" || name == "as-dated") return Basis::as_dated;
  if (name == "rebased" || name == "re-based") return Basis::rebased;
  return std::nullopt;
}
std::string_view figure_unit_name(FigureUnit unit) {
  switch (unit) {
    case FigureUnit::count:
      return "count";
    case FigureUnit::vnd:
      return "vnd";
    case FigureUnit::ratio:
      return "ratio";
  }
  return "count";
}
std::string_view figure_source_name(FigureSource source) {
  return source == FigureSource::system ? "system" : "self_declared";
}

const std::vector<IndicatorDefinition>& indicator_definitions() {
  static const std::vector<IndicatorDefinition> kDefinitions = build_definitions();
  return kDefinitions;
}

const IndicatorDefinition* find_indicator(std::string_view code) {
  for (const auto& d : indicator_definitions())
    if (d.code == code) return &d;
  return nullptr;
}

const Figure* AreaFigures::find(std::string_view code) const {
  for (const auto& f : figures)
    if (f.code == code) return &f;
  return nullptr;
}

const AreaFigures* Report::find(std::string_view area_code) const {
  for (const auto& r : rows)
    if (r.area.key.code == area_code) return &r;
  return nullptr;
}

Result<Report> IndicatorEngine::compute(Date from, Date to, std::string_view area_code,
                                        std::string_view by_level, Basis basis) {
  IndicatorQuery q;
  q.from = from;
  q.to = to;
  q.area_code = std::string(area_code);
  q.by_level = std::string(by_level);
  q.basis = basis;
  return compute(q);
}

Result<Report> IndicatorEngine::compute(const IndicatorQuery& query,
                                        const ReportProgress& progress) {
  constexpr int64_t kSteps = 6;
  auto step = [&](int64_t done) {
    if (progress) progress(done, kSteps);
  };
  if (query.to < query.from) return invalid_input("kỳ báo cáo kết thúc trước khi bắt đầu", "to");
  Report report;
  report.query = query;
  report.generated_at = clock_.now();
  const Date today = vietnam_date(report.generated_at);
  const bool rebased = query.basis == Basis::rebased;
  report.rebase_on = rebased ? query.rebase_on.value_or(today) : query.to;
  const Date on = report.rebase_on;

  AreaMap areas;
  if (auto loaded = areas.load(db_); !loaded) return loaded.error();
  step(1);

  // The reported unit: the version of the code valid on `to`, else the latest one overlapping
  // the period; rebased, the unit valid on the rebase date it became.
  const Area* top = nullptr;
  for (const auto& [key, area] : areas.all()) {
    if (key.code != query.area_code || !overlaps(area, query.from, query.to)) continue;
    if (!top || area.valid_on(query.to) || key.valid_from > top->key.valid_from) top = &area;
    if (area.valid_on(query.to)) break;
  }
  if (!top) {
    for (const auto& [key, area] : areas.all())
      if (key.code == query.area_code && (rebased ? area.valid_on(on) : true)) top = &area;
    if (!top) return Error{ErrorCode::not_found, "không có địa bàn mã " + query.area_code, "area"};
  }
  if (rebased && !top->valid_on(on)) {
    const AreaKey now = areas.valid_successor(top->key, on);
    const Area* a = areas.find(now);
    if (!a || !a->valid_on(on))
      return invalid_input("địa bàn " + query.area_code + " không còn tồn tại vào ngày " +
                               format_iso_date(on) + "; hãy dùng cách tính theo thời điểm",
                           "area");
    top = a;
  }

  // The rows: the area, then its children of the requested level.
  std::vector<const Area*> rows{top};
  auto under_top = [&](const AreaKey& key) {
    std::optional<AreaKey> k = key;
    for (int depth = 0; k && depth < 16; ++depth) {
      if (*k == top->key) return true;
      const Area* a = areas.find(*k);
      k = a ? a->parent : std::nullopt;
    }
    return false;
  };
  if (!query.by_level.empty()) {
    bool known_level = false;
    for (const auto& [key, area] : areas.all()) {
      if (!level_matches(query.by_level, area.level)) continue;
      known_level = true;
      const bool in_period = rebased ? area.valid_on(on) : overlaps(area, query.from, query.to);
      if (in_period && key != top->key && under_top(key)) rows.push_back(&area);
    }
    if (!known_level) return invalid_input("cấp địa bàn không có: " + query.by_level, "by");
  }
  std::map<AreaKey, int> row_of;
  for (size_t i = 0; i < rows.size(); ++i) row_of.emplace(rows[i]->key, static_cast<int>(i));

  // Which rows a unit counts in: follow the successions to the unit valid on `follow_to` (when
  // given), then walk up its parents. Nothing when the walk never reaches the reported area.
  std::map<std::pair<AreaKey, int64_t>, std::vector<int>> targets_cache;
  auto targets = [&](const AreaKey& recorded,
                     std::optional<Date> follow_to) -> const std::vector<int>& {
    const int64_t day = follow_to ? days_since_epoch(*follow_to) : INT64_MIN;
    auto [it, inserted] = targets_cache.try_emplace({recorded, day});
    if (!inserted) return it->second;
    const AreaKey unit = follow_to ? areas.valid_successor(recorded, *follow_to) : recorded;
    std::vector<int> found;
    std::optional<AreaKey> k = unit;
    for (int depth = 0; k && depth < 16; ++depth) {
      if (auto r = row_of.find(*k); r != row_of.end()) found.push_back(r->second);
      if (*k == top->key) {
        it->second = std::move(found);
        break;
      }
      const Area* a = areas.find(*k);
      k = a ? a->parent : std::nullopt;
    }
    return it->second;
  };
  // Sales and training events as recorded (the unit valid on their date), rebased when asked.
  const std::optional<Date> event_follow = rebased ? std::optional<Date>(on) : std::nullopt;

  std::vector<Tally> tally(rows.size());
  const int64_t period_start = vietnam_midnight(query.from);
  const int64_t period_end = vietnam_midnight(date_from_days(days_since_epoch(query.to) + 1));
  // Producers are placed in the unit valid on the period's last day (as dated) or on the rebase
  // date; sales as the ledger recorded them, rebased when asked.
  const Date producer_day = rebased ? on : query.to;

  // Sales in the period: sums per area from the rollups, and which producers sold on a
  // marketplace or through a social network from the per-producer flags.
  SalesSummaries summaries(db_);
  auto flags = summaries.producer_flags(query.from, query.to);
  if (!flags) return flags.error();
  std::unordered_map<int64_t, ProducerSalesFlags> by_producer;
  by_producer.reserve(flags->size());
  for (const auto& f : *flags) by_producer.emplace(f.producer_id, f);
  // Producers and products with a marketplace listing live at some time in the period
  // (migration 0021 keeps each listing's live stretches).
  std::unordered_set<int64_t> listed_producers, listed_products;
  {
    auto s = db_.prepare(R"sql(
SELECT DISTINCT sh.producer_id, pr.id
FROM marketplace_listing_periods lp
JOIN marketplace_shops sh ON sh.id = lp.shop_ref
LEFT JOIN products pr ON pr.sku = lp.sku AND pr.producer_id = sh.producer_id
WHERE lp.live_from < ?2 AND (lp.live_until IS NULL OR lp.live_until >= ?1))sql");
    if (!s) return s.error();
    s->bind(1, period_start).bind(2, period_end);
    for (;;) {
      auto more = s->step();
      if (!more) return more.error();
      if (!*more) break;
      listed_producers.insert(s->column_int(0));
      if (!s->column_is_null(1)) listed_products.insert(s->column_int(1));
    }
  }
  auto sales = summaries.aggregate_areas(query.from, query.to);
  if (!sales) return sales.error();
  for (const auto& s : *sales) {
    if (s.area_code.empty()) continue;
    const int ch = channel_index(s.channel);
    if (ch < 0) continue;
    const AreaKey recorded{s.area_code, s.area_valid_from};
    for (int r : targets(recorded, event_follow)) {
      Tally& t = tally[static_cast<size_t>(r)];
      t.revenue[static_cast<size_t>(ch)] += s.net_vnd();
      if (is_platform(s.channel)) t.orders[static_cast<size_t>(ch)] += s.sales_count;
      t.channel_hand[static_cast<size_t>(ch)] = t.channel_hand[static_cast<size_t>(ch)] || s.hand;
      t.paid_count += s.sales_count;
      t.paid_vnd += s.net_vnd();
      t.paid_hand = t.paid_hand || s.hand;
      if (s.settlement != "cash") {
        t.cashless_count += s.sales_count;
        t.cashless_vnd += s.net_vnd();
      }
    }
  }
  step(2);

  // Producers active during the period, in their unit valid on `producer_day`.
  std::unordered_map<int64_t, const std::vector<int>*> producer_rows;
  {
    auto s = db_.prepare(R"sql(
SELECT id, area_code, area_valid_from, status, inactive_since, registered_at,
       social_zalo <> '' OR social_facebook <> '' OR social_tiktok <> '',
       bank_bin <> '' AND bank_account <> '' AND bank_holder <> ''
FROM producers WHERE area_code IS NOT NULL AND area_valid_from IS NOT NULL)sql");
    if (!s) return s.error();
    for (;;) {
      auto more = s->step();
      if (!more) return more.error();
      if (!*more) break;
      const int64_t id = s->column_int(0);
      const auto& rs = targets(AreaKey{s->column_text(1), s->column_text(2)}, producer_day);
      producer_rows.emplace(id, &rs);
      const bool active_then = s->column_int(5) < period_end &&
                               (s->column_text(3) == "active" ||
                                (!s->column_is_null(4) && s->column_int(4) >= period_start));
      if (!active_then) continue;
      const bool declared_social = s->column_int(6) != 0;
      const bool qr = s->column_int(7) != 0;
      ProducerSalesFlags ps;
      if (auto it = by_producer.find(id); it != by_producer.end()) ps = it->second;
      // A live listing, or a marketplace sale (pulled or imported: the listing was live even
      // when it was made on the platform by hand); a hand-entered sale only is self-declared.
      const bool listed = listed_producers.count(id) != 0;
      const bool ecom = listed || ps.marketplace_system || ps.marketplace_hand;
      const bool social = declared_social || ps.social_system || ps.social_hand;
      for (int r : rs) {
        Tally& t = tally[static_cast<size_t>(r)];
        ++t.producers;
        if (qr) ++t.qr;
        if (ecom) {
          ++t.ecom;
          t.ecom_hand = t.ecom_hand || !(listed || ps.marketplace_system);
        }
        if (social) {
          ++t.social;
          t.social_hand = t.social_hand || !ps.social_system;
        }
      }
    }
  }
  step(3);

  // Products with an OCOP certificate valid on the period's last day, in their producer's unit.
  {
    auto s = db_.prepare(R"sql(
SELECT producer_id, ocop_group, ocop_stars, decision_date, certificate_revoked_at, id
FROM products WHERE ocop_stars IS NOT NULL)sql");
    if (!s) return s.error();
    for (;;) {
      auto more = s->step();
      if (!more) return more.error();
      if (!*more) break;
      auto it = producer_rows.find(s->column_int(0));
      if (it == producer_rows.end() || it->second->empty()) continue;
      Product p;
      p.fields.certificate =
          OcopCertificate{static_cast<int>(s->column_int(2)), "x", s->column_text(3), "x"};
      p.certificate_revoked_at = s->column_optional_int(4);
      if (!certificate_valid_on(p, query.to)) continue;
      const std::string group = s->column_text(1);
      const int stars = static_cast<int>(s->column_int(2));
      const bool listed = listed_products.count(s->column_int(5)) != 0;
      for (int r : *it->second) {
        Tally& t = tally[static_cast<size_t>(r)];
        ++t.ocop;
        if (listed) ++t.ocop_listed;
        if (stars >= 3 && stars <= 5) ++t.stars[static_cast<size_t>(stars - 3)];
        if (group.size() == 2 && group[1] >= '1' && group[1] <= '6')
          ++t.groups[static_cast<size_t>(group[1] - '1')];
      }
    }
  }
  step(4);

  // Training events held in the period.
  {
    auto s = db_.prepare(
        "SELECT area_code, area_valid_from, participants FROM training_events "
        "WHERE held_on >= ?1 AND held_on <= ?2");
    if (!s) return s.error();
    s->bind(1, format_iso_date(query.from)).bind(2, format_iso_date(query.to));
    for (;;) {
      auto more = s->step();
      if (!more) return more.error();
      if (!*more) break;
      for (int r : targets(AreaKey{s->column_text(0), s->column_text(1)}, event_follow)) {
        Tally& t = tally[static_cast<size_t>(r)];
        ++t.training_events;
        t.training_participants += s->column_int(2);
      }
    }
  }
  step(5);

  std::sort(rows.begin() + 1, rows.end(),
            [](const Area* a, const Area* b) { return a->key < b->key; });
  for (const Area* a : rows) {
    AreaFigures af;
    af.area = *a;
    af.total = a == top;
    af.figures = figures_of(tally[static_cast<size_t>(row_of.at(a->key))]);
    report.rows.push_back(std::move(af));
  }
  step(6);
  return report;
}

Result<TrainingEvent> TrainingLog::record(TrainingEvent e) {
  auto title = nfc(e.title);
  if (!title) return invalid_input("tên lớp tập huấn không hợp lệ", "title");
  e.title = *title;
  while (!e.title.empty() && (e.title.back() == ' ' || e.title.back() == '\t')) e.title.pop_back();
  while (!e.title.empty() && (e.title.front() == ' ' || e.title.front() == '\t'))
    e.title.erase(0, 1);
  if (e.title.empty() || e.title.size() > 800)
    return invalid_input("tên lớp tập huấn phải có 1–200 ký tự", "title");
  if (e.participants < 0 || e.participants > 100000)
    return invalid_input("số người tham gia phải từ 0 đến 100.000", "participants");
  auto note = nfc(e.note);
  if (!note) return invalid_input("ghi chú không hợp lệ", "note");
  e.note = *note;
  if (e.held_on > vietnam_date(clock_.now()))
    return invalid_input("ngày tập huấn ở tương lai", "held_on");
  AreaStore areas(db_);
  if (e.area.valid_from.empty()) {
    auto a = areas.resolve(e.area.code, e.held_on);
    if (!a) return Error{a.error().code, a.error().message, "area"};
    e.area = a->key;
  } else {
    auto a = areas.find(e.area);
    if (!a) return Error{a.error().code, a.error().message, "area"};
    if (!a->valid_on(e.held_on))
      return invalid_input("địa bàn không còn hiệu lực vào ngày tập huấn", "area");
  }
  e.recorded_at = clock_.now();
  auto s = db_.prepare(
      "INSERT INTO training_events (area_code, area_valid_from, held_on, title, participants, "
      "entered_by, note, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!s) return s.error();
  s->bind(1, e.area.code)
      .bind(2, e.area.valid_from)
      .bind(3, format_iso_date(e.held_on))
      .bind(4, e.title)
      .bind(5, e.participants)
      .bind(6, e.entered_by)
      .bind(7, e.note)
      .bind(8, e.recorded_at);
  if (auto done = s->run(); !done) return done.error();
  e.id = db_.last_insert_id();
  return e;
}

Result<std::vector<TrainingEvent>> TrainingLog::list(Date from, Date to) {
  auto s = db_.prepare(
      "SELECT id, area_code, area_valid_from, held_on, title, participants, entered_by, note, "
      "recorded_at FROM training_events WHERE held_on >= ?1 AND held_on <= ?2 "
      "ORDER BY held_on, id");
  if (!s) return s.error();
  s->bind(1, format_iso_date(from)).bind(2, format_iso_date(to));
  std::vector<TrainingEvent> out;
  for (;;) {
    auto more = s->step();
    if (!more) return more.error();
    if (!*more) break;
    TrainingEvent e;
    e.id = s->column_int(0);
    e.area = {s->column_text(1), s->column_text(2)};
    auto held = parse_iso_date(s->column_text(3));
    if (held) e.held_on = *held;
    e.title = s->column_text(4);
    e.participants = s->column_int(5);
    e.entered_by = s->column_optional_int(6);
    e.note = s->column_text(7);
    e.recorded_at = s->column_int(8);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace chophien::core
