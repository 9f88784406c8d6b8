// dibaoctl: command-line client of dibao-server. See cli/cli.h.
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  return dibao::cli::RunCli(argc, argv, std::cout, std::cerr);
}
