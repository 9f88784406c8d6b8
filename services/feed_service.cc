#include "services/feed_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/dates.h"
#include "base/log.h"
#include "base/resident_id.h"
#include "casework/partner_feedback.h"
#include "formats/feed_kinds.h"
#include "services/grpc_status.h"
#include "services/registry_service.h"

namespace dibao {
namespace {
constexpr absl::string_view kService = v1::FeedService::service_full_name();

constexpr int kDefaultBatchLimit = 50;
constexpr int kMaxBatchLimit = 1000;

grpc::Status Invalid(std::string message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

}  // namespace

grpc::Status FeedServiceImpl::Upload(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadRequest>* reader,
    v1::Receipt* receipt) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // Admitted before the first read: a stream that never sends its header
  // holds a place and is cut when idle like any other.
  auto ticket = limits_->Admit(context, caller->id());
  if (!ticket.ok()) return ToGrpcStatus(ticket.status());
  // Initial metadata now tells the client it was admitted (a refused
  // upload gets only its status).
  reader->SendInitialMetadata();

  v1::UploadRequest request;
  if (!reader->Read(&request) || !request.has_header()) {
    return Invalid("the first message of an upload must be its header");
  }
  (*ticket)->Touch();
  const v1::BatchHeader header = request.header();
  // From here on an upload that ends without a receipt is a refused batch
  // on the metrics (whatever the reason: the operator's alert counts them).
  struct Refusal {
    ServerMetrics* metrics;
    const v1::BatchHeader& header;
    bool stored = false;
    ~Refusal() {
      if (!stored) metrics->BatchRefused(header.agency(), header.kind());
    }
  } refusal{metrics_, header};
  if (header.agency() != caller->principal.agency()) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        absl::StrCat("\"", caller->id(), "\" pushes batches of ",
                     AgencyName(caller->principal.agency()), " only; batch ",
                     header.batch_id(), " says ", AgencyName(header.agency()),
                     "; nothing was stored")));
  }
  auto upload = feeds_->Begin(header, caller->id());
  if (!upload.ok()) return ToGrpcStatus(upload.status());

  const absl::Time started = absl::Now();
  int64_t messages = 1;
  while (true) {
    std::unique_ptr<FeedChunk> chunk = (*upload)->NewChunk();
    if (!reader->Read(chunk->message())) break;
    (*ticket)->Touch();
    ++messages;
    if (!chunk->message()->has_records()) {
      return Invalid(absl::StrCat("message ", messages,
                                  " is not a record chunk; nothing of batch ",
                                  header.batch_id(), " was stored"));
    }
    absl::Status s = (*upload)->AddChunk(std::move(chunk));
    if (!s.ok()) return ToGrpcStatus(s);
  }
  // A stream that ended because the client went away, or that the watchdog
  // cut, is not a batch. A cancelled call sends no status of ours: the client
  // sees CANCELLED, and the watchdog's log line says why.
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        "the upload was cancelled; nothing was stored");
  }
  const absl::Time streamed = absl::Now();
  auto committed = (*upload)->Commit();
  if (!committed.ok()) return ToGrpcStatus(committed.status());
  *receipt = *std::move(committed);
  refusal.stored = true;
  metrics_->BatchCommitted(header, *receipt);
  if (!receipt->replayed()) {
    // On the chain right after the commit: counts and digest, no records.
    v1::AuditEntry entry;
    entry.set_actor(caller->id());
    entry.set_action(v1::AUDIT_ACTION_FEED_BATCH_COMMITTED);
    entry.set_records(receipt->accepted() + receipt->unchanged() +
                      receipt->withdrawn() + receipt->rejected());
    entry.set_detail(absl::StrCat(
        "batch ", header.batch_id(), " (", AgencyName(header.agency()), " ",
        FindFeedKind(header.kind())->name, ", ",
        header.mode() == v1::BATCH_MODE_SNAPSHOT ? "SNAPSHOT" : "DELTA",
        ", as of ", FormatDate(header.as_of()), ") number ",
        receipt->batch_seq(), ": ", receipt->accepted(), " accepted, ",
        receipt->unchanged(), " unchanged, ", receipt->rejected(),
        " rejected, ", receipt->retired(), " retired, ", receipt->withdrawn(),
        " withdrawn; SHA-256 ", receipt->digest()));
    entry.set_ref(absl::StrCat("feed batch ", header.batch_id()));
    if (absl::Status s = gate_->audit()->Append(std::move(entry)); !s.ok()) {
      LogEvent(
          LogLevel::kError, "feeds", "audit_append_failed",
          {{"batch_id", header.batch_id()}},
          absl::StrCat("batch ", header.batch_id(),
                       " committed but not on the audit chain: ", s.message()));
      return ToGrpcStatus(s);
    }
  }
  const absl::Time finished = absl::Now();
  LogEvent(
      LogLevel::kInfo, "feeds",
      receipt->replayed() ? "batch_replayed" : "batch_committed",
      {{"batch_id", header.batch_id()},
       {"batch_seq", receipt->batch_seq()},
       {"agency", AgencyName(header.agency())},
       {"kind", FindFeedKind(header.kind())->name},
       {"mode",
        header.mode() == v1::BATCH_MODE_SNAPSHOT ? "SNAPSHOT" : "DELTA"},
       {"as_of", FormatDate(header.as_of())},
       {"accepted", receipt->accepted()},
       {"unchanged", receipt->unchanged()},
       {"rejected", receipt->rejected()},
       {"retired", receipt->retired()},
       {"withdrawn", receipt->withdrawn()},
       {"stream_seconds", absl::ToDoubleSeconds(streamed - started)},
       {"commit_seconds", absl::ToDoubleSeconds(finished - streamed)},
       {"actor", caller->id()}},
      absl::StrCat(
          "batch ", header.batch_id(), " (", AgencyName(header.agency()), " ",
          FindFeedKind(header.kind())->name, ") ",
          receipt->replayed() ? "replayed: " : "committed: ",
          receipt->accepted(), " accepted, ", receipt->unchanged(),
          " unchanged, ", receipt->rejected(), " rejected, ",
          receipt->retired(), " retired, ", receipt->withdrawn(),
          " withdrawn; streamed in ", absl::FormatDuration(streamed - started),
          ", committed in ", absl::FormatDuration(finished - streamed)));
  return grpc::Status::OK;
}

grpc::Status FeedServiceImpl::ListBatches(grpc::ServerContext* context,
                                          const v1::ListBatchesRequest* request,
                                          v1::ListBatchesResponse* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  int limit = request->limit() <= 0 ? kDefaultBatchLimit : request->limit();
  if (limit > kMaxBatchLimit) {
    return Invalid(absl::StrCat("limit is at most ", kMaxBatchLimit));
  }
  v1::Agency agency = request->agency();
  // An agency sees its own receipts only.
  if (caller->role() == v1::ROLE_AGENCY) {
    if (agency != v1::AGENCY_UNSPECIFIED &&
        agency != caller->principal.agency()) {
      return ToGrpcStatus(absl::PermissionDeniedError(
          absl::StrCat("\"", caller->id(), "\" reads the receipts of ",
                       AgencyName(caller->principal.agency()), " only")));
    }
    agency = caller->principal.agency();
  }
  auto receipts = feeds_->ListBatches(agency, limit);
  if (!receipts.ok()) return ToGrpcStatus(receipts.status());
  for (auto& r : *receipts) *response->add_receipts() = std::move(r);
  return grpc::Status::OK;
}

grpc::Status FeedServiceImpl::GetRejections(
    grpc::ServerContext* context, const v1::GetRejectionsRequest* request,
    grpc::ServerWriter<v1::RecordRejection>* writer) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (caller->role() == v1::ROLE_AGENCY) {
    // An agency reads its own batches' rejections only; another's batch
    // is as unknown to it as a batch that does not exist.
    auto batch = feeds_->FindBatch(request->batch_id());
    if (!batch.ok()) return ToGrpcStatus(batch.status());
    if (!batch->has_value() ||
        (*batch)->header().agency() != caller->principal.agency()) {
      return ToGrpcStatus(absl::NotFoundError(
          absl::StrCat("no batch ", request->batch_id(), " of ",
                       AgencyName(caller->principal.agency()))));
    }
  }
  // The records as the agency sent them: counted on the chain.
  int64_t sent = 0;
  const absl::Status streamed = feeds_->ForEachRejection(
      request->batch_id(), [&](const v1::RecordRejection& r) -> absl::Status {
        if (!writer->Write(r)) {
          return absl::CancelledError("the client stopped reading");
        }
        ++sent;
        return absl::OkStatus();
      });
  const absl::Status recorded = gate_->reads().Many(
      *caller, sent,
      absl::StrCat("rejected records of batch ", request->batch_id()));
  return ToGrpcStatus(streamed.ok() ? recorded : streamed);
}

grpc::Status FeedServiceImpl::GetFeedback(
    grpc::ServerContext* context, const v1::GetFeedbackRequest* request,
    grpc::ServerWriter<v1::PartnerFeedback>* writer) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  v1::Agency agency = request->agency();
  if (caller->role() == v1::ROLE_AGENCY) {
    // An agency reads what was found in its own data only.
    if (agency != v1::AGENCY_UNSPECIFIED &&
        agency != caller->principal.agency()) {
      return ToGrpcStatus(absl::PermissionDeniedError(
          absl::StrCat("\"", caller->id(), "\" reads the feedback of ",
                       AgencyName(caller->principal.agency()), " only")));
    }
    agency = caller->principal.agency();
  }
  if (agency == v1::AGENCY_UNSPECIFIED || !v1::Agency_IsValid(agency)) {
    return Invalid(
        "agency is required (labour, land, union, "
        "public_security or justice)");
  }
  auto since = OptionalDay(request->has_since(), request->since(), "since");
  if (!since.ok()) return ToGrpcStatus(since.status());
  WithdrawalFinder withdrawals(store_, nullptr);
  auto feedback =
      PartnerFeedbackOf(*flags_, agency, *since, &withdrawals, clock_->Today());
  if (!feedback.ok()) return ToGrpcStatus(feedback.status());
  // Masked IDs only, but each line is about a person: counted on the chain.
  int64_t sent = 0;
  absl::Status streamed;
  for (const v1::PartnerFeedback& f : *feedback) {
    if (!writer->Write(f)) {
      streamed = absl::CancelledError("the client stopped reading");
      break;
    }
    ++sent;
  }
  const absl::Status recorded = gate_->reads().Many(
      *caller, sent, absl::StrCat("partner feedback of ", AgencyName(agency)));
  return ToGrpcStatus(streamed.ok() ? recorded : streamed);
}

grpc::Status FeedServiceImpl::GetPersonFacts(
    grpc::ServerContext* context, const v1::GetPersonFactsRequest* request,
    v1::PersonFacts* response) {
  auto caller = gate_->Admit(*context, kService, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto id = ParseResidentId(request->id_number(), clock_->Today());
  if (!id.ok()) return ToGrpcStatus(id.status());
  if (absl::Status s = areas_->CheckPerson(*caller, id->number()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  auto facts = feeds_->PersonTimeline(id->number());
  if (!facts.ok()) return ToGrpcStatus(facts.status());
  if (absl::Status s = gate_->reads().One(*caller, "", id->number()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  response->set_id_number(std::string(id->number()));
  for (auto& f : *facts) *response->add_facts() = std::move(f);
  return grpc::Status::OK;
}

}  // namespace dibao
