package observe

import "net/http"

// console serves the web console's page and assets.
func (h *Hub) console(mux *http.ServeMux) {}
