// fetch: fetch many URLs concurrently. All logic lives in fetch_core; see app.cpp.
#include "fetch/app/app.hpp"

int main(int argc, char** argv) { return fetch::run_app(argc, argv); }
