// Money is an int64 count of fen everywhere; this is how it is shown.
#ifndef DIBAO_BASE_MONEY_H_
#define DIBAO_BASE_MONEY_H_

#include <cstdint>
#include <string>

namespace dibao {

// "1234.56" for 123456 fen; "-0.05" for -5. Exact, no floating point.
std::string FormatYuan(int64_t fen);

}  // namespace dibao

#endif  // DIBAO_BASE_MONEY_H_
