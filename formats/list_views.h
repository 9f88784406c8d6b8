// What a list carries of the people in it. A list (the review queue, the
// flags, the recommendations: each a page of many households) shows every
// resident ID masked as log lines are (first 6 and last 4) and leaves out
// the partner facts and reported values behind a finding; the full ID
// numbers and the evidence are in the single reads (a case, a flag, a
// recommendation), which the server records on the audit chain one by one.
// Text a caseworker or a rule wrote (summaries, notes, comments, evidence
// lines) keeps its words with any ID in it masked.
#ifndef DIBAO_FORMATS_LIST_VIEWS_H_
#define DIBAO_FORMATS_LIST_VIEWS_H_

#include "dibao/v1/matching.pb.h"
#include "dibao/v1/recommendations.pb.h"

namespace dibao {

// `flag` as a list shows it.
void ToListView(v1::Flag* flag);
// `r` as a list shows it: members leaving masked, evidence and arithmetic
// lines with IDs masked.
void ToListView(v1::Recommendation* r);

}  // namespace dibao

#endif  // DIBAO_FORMATS_LIST_VIEWS_H_
