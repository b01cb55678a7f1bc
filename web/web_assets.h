// The dashboard's built files (web/dist/), embedded into the binary at build time by web/embed_assets.cmake.
// When the dashboard was not built, the only asset is an /index.html saying how to build it.
#ifndef BAYESD_WEB_WEB_ASSETS_H_
#define BAYESD_WEB_WEB_ASSETS_H_

#include <string_view>

namespace bayesd::web {
struct Asset { std::string_view path; std::string_view content_type; std::string_view body; };
// `path` as requested, e.g. "/index.html", "/assets/index-3f2a.js". nullptr when there is no such asset.
// Thread-safe; the returned Asset lives as long as the program.
const Asset* FindAsset(std::string_view path);
}

#endif  // BAYESD_WEB_WEB_ASSETS_H_
