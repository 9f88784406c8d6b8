// A recommendation as one row of the bureau's approval list: the columns
// `dibaoctl recommendations list` prints and the console's CSV export
// downloads, defined once so both carry the same, and only what the meeting
// needs (removed members' IDs masked).
//
// Thread-safe: pure functions.
#ifndef DIBAO_FORMATS_RECOMMENDATION_ROWS_H_
#define DIBAO_FORMATS_RECOMMENDATION_ROWS_H_

#include <string>
#include <vector>

#include "dibao/v1/recommendations.pb.h"

namespace dibao {

const std::vector<std::string>& RecommendationColumns();
std::vector<std::string> RecommendationRow(const v1::Recommendation& r);

}  // namespace dibao

#endif  // DIBAO_FORMATS_RECOMMENDATION_ROWS_H_
