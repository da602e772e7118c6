package observe

import (
	"embed"
	"io/fs"
	"net/http"
)

// The console's page, script and style, in the binary: plain HTML, CSS and
// JavaScript with no build step and nothing fetched from elsewhere.
//
//go:embed web/index.html web/app.js web/style.css
var web embed.FS

// console serves the web console's page and assets at /.
func (h *Hub) console(mux *http.ServeMux) {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	mux.Handle("GET /", http.FileServer(http.FS(sub)))
}
