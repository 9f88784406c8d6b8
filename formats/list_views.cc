#include "formats/list_views.h"

#include <string>

#include "base/resident_id.h"

namespace dibao {
namespace {

void MaskIn(std::string* text) { *text = MaskIdsInText(*text); }

}  // namespace

void ToListView(v1::Flag* flag) {
  v1::Finding* f = flag->mutable_finding();
  f->set_id_number(MaskId(f->id_number()));
  f->clear_facts();
  f->clear_reported();
  MaskIn(f->mutable_summary());
  for (std::string& line : *f->mutable_overpayment_explanation()) {
    MaskIn(&line);
  }
  MaskIn(flag->mutable_resolved_reason());
  MaskIn(flag->mutable_reopened_reason());
  for (v1::ReviewDecision& d : *flag->mutable_decisions()) {
    MaskIn(d.mutable_note());
  }
  for (v1::ReviewComment& c : *flag->mutable_comments()) {
    MaskIn(c.mutable_text());
  }
  for (v1::EvidenceVersion& e : *flag->mutable_evidence()) {
    MaskIn(e.mutable_summary());
  }
}

void ToListView(v1::Recommendation* r) {
  for (std::string& id : *r->mutable_remove_members()) id = MaskId(id);
  for (std::string& line : *r->mutable_evidence()) MaskIn(&line);
  for (std::string& line : *r->mutable_arithmetic()) MaskIn(&line);
  MaskIn(r->mutable_decision_note());
  for (v1::StageDecision& d : *r->mutable_stages()) MaskIn(d.mutable_note());
}

}  // namespace dibao
