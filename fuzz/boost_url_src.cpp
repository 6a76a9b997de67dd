// Boost.URL compiled into fuzz_url_list from source, with BOOST_ASSERT live.
#ifdef NDEBUG
#error "fuzz_url_list must be built without NDEBUG: Boost.URL's assertions are what it checks"
#endif
#include <boost/url/src.hpp>
