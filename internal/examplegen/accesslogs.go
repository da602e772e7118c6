package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// accessLogs: raw nginx "combined" log lines (examples/access-logs-cloudformation).
// The lines are written here from known fields, so the expected output is
// computed from those fields, never by parsing the text back: requests,
// bytes and bot requests per status class per arrival minute, and the
// route-minutes (bots and OPTIONS left out) whose 5xx share is at least
// 10%, with the owning team or "unowned". Some records carry two or three
// lines (one row each, at the record's arrival); some lines are not log
// lines at all and drop out.
func accessLogs(dir string) {
	rng := rand.New(rand.NewPCG(101, 102))
	type route struct {
		uri  func() string // a request URI that folds to the route
		name string        // the folded route
		team string        // "" when not in the routing table
	}
	routes := []route{
		{func() string { return fmt.Sprintf("/api/orders/%d?expand=items", 10000+rng.IntN(90000)) }, "/api/orders/{id}", "orders"},
		{func() string { return []string{"/api/cart", "/API/Cart", "/api/cart?ref=mail"}[rng.IntN(3)] }, "/api/cart", "checkout"},
		{func() string { return fmt.Sprintf("/api/search?q=item%d", rng.IntN(50)) }, "/api/search", "discovery"},
		{func() string { return "/login" }, "/login", "identity"},
		{func() string { return "/static/app.js" }, "/static/app.js", "frontend"},
		{func() string { return fmt.Sprintf("/api/users/%d/orders/%d", rng.IntN(900), rng.IntN(90)) }, "/api/users/{id}/orders/{id}", "orders"},
		{func() string { return "/health" }, "/health", ""},
	}
	var ref strings.Builder
	for _, r := range routes {
		if r.team != "" {
			fmt.Fprintf(&ref, "%s,%s\n", r.name, r.team)
		}
	}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"shop-crawler/0.9 (internal link checker)",
		"curl/8.4.0",
	}
	scrapers := []string{"203.0.113.7", "198.51.100.23", "192.0.2.44"}
	type req struct {
		ip, route, class, method string
		status                   int
		bytes                    int64
		bot                      bool
		logged                   time.Time
	}
	type line struct {
		text string
		req  *req // nil: not a log line
	}
	var recs []record
	var lines [][]line // per record
	t := base.Add(3 * time.Second)
	for i := 0; len(recs) < 1800; i++ {
		t = t.Add(time.Duration(60+rng.IntN(300)) * time.Millisecond)
		n := 1
		if i%7 == 3 {
			n = 2 + rng.IntN(2) // a shipper batch: several lines in one record
		}
		var ls []line
		for j := 0; j < n; j++ {
			if (i+j)%173 == 60 {
				ls = append(ls, line{text: "nginx: [warn] upstream response is buffered to a temporary file"})
				continue
			}
			rt := routes[rng.IntN(len(routes))]
			minute := int(t.Sub(base) / time.Minute)
			errPct := 2
			switch {
			case rt.name == "/api/cart" && (minute == 2 || minute == 3):
				errPct = 35 // a bad deploy of the cart service
			case rt.name == "/api/orders/{id}" && minute == 5:
				errPct = 20
			case rt.name == "/health" && minute == 6:
				errPct = 60
			}
			status := []int{200, 200, 200, 200, 200, 201, 301, 304, 400, 404, 429}[rng.IntN(11)]
			if rng.IntN(100) < errPct {
				status = []int{500, 502, 503}[rng.IntN(3)]
			}
			bytes := int64(200 + rng.IntN(30000))
			bytesText := fmt.Sprint(bytes)
			if status == 304 {
				bytesText, bytes = "-", 0 // nginx logs no body as "-"
			}
			method := []string{"GET", "GET", "GET", "POST", "get"}[rng.IntN(5)]
			if rng.IntN(40) == 0 {
				method = []string{"OPTIONS", "options"}[rng.IntN(2)]
			}
			agent := agents[rng.IntN(len(agents))]
			bot := strings.Contains(strings.ToLower(agent), "bot") || strings.Contains(agent, "crawler")
			logged := t.Add(-time.Duration(rng.IntN(3000)) * time.Millisecond).Truncate(time.Second)
			ip := fmt.Sprintf("10.%d.%d.%d", rng.IntN(4), rng.IntN(256), 1+rng.IntN(254))
			switch k := rng.IntN(100); { // 8% of the lines from one scraper, 2% from each of two others
			case k < 8:
				ip = scrapers[0]
			case k < 10:
				ip = scrapers[1]
			case k < 12:
				ip = scrapers[2]
			}
			user := "-"
			if rt.name == "/api/cart" && rng.IntN(3) == 0 {
				user = fmt.Sprintf("u%d", rng.IntN(500))
			}
			referer := "-"
			if rng.IntN(2) == 0 {
				referer = "https://shop.example.com/"
			}
			text := fmt.Sprintf(`%s - %s [%s] "%s %s HTTP/1.1" %d %s "%s" "%s"`,
				ip, user, logged.Format("02/Jan/2006:15:04:05 -0700"), method, rt.uri(), status, bytesText, referer, agent)
			if rng.IntN(25) == 0 {
				text = "  " + text + " " // stray blanks from the shipper
			}
			ls = append(ls, line{text: text, req: &req{ip: ip, route: rt.name, class: fmt.Sprintf("%dxx", status/100),
				method: strings.ToUpper(method), status: status, bytes: bytes, bot: bot, logged: logged}})
		}
		var data strings.Builder
		for _, l := range ls {
			data.WriteString(l.text)
			data.WriteByte('\n')
		}
		recs = append(recs, record{arrival: t, data: []byte(data.String()), key: fmt.Sprintf("nginx-%d", i%3), shard: i % 2})
		lines = append(lines, ls)
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "access-log.jsonl"), recs)
	must(os.WriteFile(filepath.Join(dir, "owners.csv"), []byte(ref.String()), 0o644))
	team := map[string]string{}
	for _, r := range routes {
		team[r.name] = r.team
		if r.team == "" {
			team[r.name] = "unowned"
		}
	}

	rts := rowtimes(recs)
	type classAcc struct{ n, bytes, bots int64 }
	var status []string
	var gs group[string, classAcc]
	type alertKey struct{ team, route string }
	type alertAcc struct {
		n, errs int64
		last    time.Time
	}
	var alerts []string
	var ga group[alertKey, alertAcc]
	byMinute(rts, func(i int) {
		for _, l := range lines[i] {
			r := l.req
			if r == nil {
				continue
			}
			a := gs.get(r.class)
			a.n++
			a.bytes += r.bytes
			if r.bot {
				a.bots++
			}
			if r.bot || r.method == "OPTIONS" {
				continue
			}
			b := ga.get(alertKey{team[r.route], r.route})
			b.n++
			if r.status >= 500 {
				b.errs++
			}
			if r.logged.After(b.last) {
				b.last = r.logged
			}
		}
	}, func(end time.Time) {
		for _, k := range gs.keys {
			a := gs.accum[k]
			status = append(status, fmt.Sprintf(`{"ROWTIME":%q,"minute_start":%q,"status_class":%q,"requests":%d,"bytes_sent":%d,"bot_requests":%d}`,
				ts(end), ts(end.Add(-time.Minute)), k, a.n, a.bytes, a.bots))
		}
		for _, k := range ga.keys {
			a := ga.accum[k]
			if a.errs*100 < 10*a.n {
				continue
			}
			alerts = append(alerts, fmt.Sprintf(`{"ROWTIME":%q,"team":%q,"route":%q,"requests":%d,"server_errors":%d,"error_rate":%s,"last_logged":%q}`,
				ts(end), k.team, k.route, a.n, a.errs, num(float64(a.errs)/float64(a.n)), ts(a.last)))
		}
		gs = group[string, classAcc]{}
		ga = group[alertKey, alertAcc]{}
	})
	writeLines(dir, "status-counts.ndjson", status)
	writeLines(dir, "route-alerts.ndjson", alerts)

	// Client bursts: a stagger window per client and logged minute opens
	// at the ROWTIME of its first line and takes the key's lines of the
	// next minute; windows close in the order they opened.
	type burstKey struct {
		ip     string
		minute time.Time
	}
	type burst struct {
		key                   burstKey
		end                   time.Time
		n, notFound, bytesSum int64
	}
	open := map[burstKey]*burst{}
	var queue []*burst
	var bursts []string
	closeUpTo := func(t time.Time, all bool) {
		for len(queue) > 0 && (all || !queue[0].end.After(t)) {
			b := queue[0]
			queue = queue[1:]
			delete(open, b.key)
			if b.n >= 25 {
				bursts = append(bursts, fmt.Sprintf(`{"ROWTIME":%q,"client_ip":%q,"logged_minute":%q,"requests":%d,"not_found":%d,"bytes_sent":%d}`,
					ts(b.end), b.key.ip, ts(b.key.minute), b.n, b.notFound, b.bytesSum))
			}
		}
	}
	for i, ls := range lines {
		for _, l := range ls {
			if l.req == nil {
				continue
			}
			closeUpTo(rts[i], false)
			k := burstKey{l.req.ip, l.req.logged.Truncate(time.Minute)}
			b := open[k]
			if b == nil {
				b = &burst{key: k, end: rts[i].Add(time.Minute)}
				open[k] = b
				queue = append(queue, b)
			}
			b.n++
			b.bytesSum += l.req.bytes
			if l.req.status == 404 {
				b.notFound++
			}
		}
	}
	closeUpTo(time.Time{}, true)
	writeLines(dir, "client-bursts.ndjson", bursts)
}
