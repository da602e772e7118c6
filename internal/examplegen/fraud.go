package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cardFraud: payment-platform events (examples/card-fraud-terraform).
// Transactions and credential changes are split; three rules flag
// transactions: a large one up to ten minutes after a change of the same
// account (every such change is one alert), a country different from the
// account's previous transaction within 30 minutes, and five or more
// transactions in the last two minutes (eight for gold accounts; staff
// test accounts, listed in the reference file, are exempt). Alerts of
// one transaction come in the order of the rules' pumps. A summary counts
// the alerts of each rule per five minutes (first-seen order).
func cardFraud(dir string) {
	rng := rand.New(rand.NewPCG(91, 92))
	const (
		largeCents = 50000
		resetWin   = 10 * time.Minute
		hopWin     = 30 * time.Minute
		velWin     = 2 * time.Minute
		velLimit   = 5
	)
	countries := []string{"DE", "FR", "NL", "ES", "IT", "PL"}
	tiers := []string{"standard", "standard", "premium", "gold"}
	type account struct {
		id, home, tier string
	}
	var accounts []account
	var ref strings.Builder
	for i := 0; i < 120; i++ {
		a := account{id: fmt.Sprintf("acct-%04d", i+1), home: countries[rng.IntN(len(countries))], tier: tiers[rng.IntN(len(tiers))]}
		if i%29 == 3 {
			a.tier = "staff" // the payment team's own test cards
		}
		switch {
		case i%17 == 5: // not in the reference file yet
		case i%23 == 7: // in the file without a tier
			fmt.Fprintf(&ref, "{\"id\":%q,\"risk\":{}}\n", a.id)
			a.tier = ""
		default:
			fmt.Fprintf(&ref, "{\"id\":%q,\"risk\":{\"tier\":%q,\"score\":%d}}\n", a.id, a.tier, rng.IntN(100))
		}
		if i%17 == 5 {
			a.tier = ""
		}
		if a.tier == "" {
			a.tier = "standard"
		}
		accounts = append(accounts, a)
	}
	type event struct {
		kind    string
		acct    *account
		cents   int64
		country string
	}
	var recs []record
	var evs []event
	t := base
	burst, burstLeft := (*account)(nil), 0
	for i := 0; i < 2000; i++ {
		t = t.Add(time.Duration(300+rng.IntN(600)) * time.Millisecond)
		a := &accounts[rng.IntN(len(accounts))]
		if burstLeft > 0 && rng.IntN(3) > 0 {
			a = burst // a card tester: many small payments in a row
			burstLeft--
		} else if burstLeft == 0 && i%250 == 100 {
			burst, burstLeft = &accounts[rng.IntN(len(accounts))], 6+rng.IntN(5)
		}
		e := event{acct: a, country: a.home}
		switch r := rng.IntN(100); {
		case r < 88 || a == burst && burstLeft > 0:
			e.kind = "TXN"
		case r < 90:
			e.kind = "PASSWORD_RESET"
		case r < 91:
			e.kind = "EMAIL_CHANGED"
		case r < 92:
			e.kind = "PHONE_CHANGED"
		default:
			e.kind = "LOGIN"
		}
		if e.kind == "TXN" {
			e.cents = int64(500 + math.Floor(math.Exp(rng.Float64()*7)*100) + float64(rng.IntN(100)))
			if rng.IntN(60) == 0 {
				e.country = countries[rng.IntN(len(countries))] // travelling, or a stolen card
			}
		}
		country := strings.ToLower(e.country)
		if rng.IntN(2) == 0 {
			country = e.country
		}
		data := fmt.Sprintf(`{"eventId":"ev-%06d","kind":%q,"accountId":%q,"amount":%s,"country":%q,"merchant":"mcc-%d"}`,
			i+1, e.kind, a.id, cents(e.cents), country, 5000+rng.IntN(999))
		if e.kind != "TXN" {
			data = fmt.Sprintf(`{"eventId":"ev-%06d","kind":%q,"accountId":%q}`, i+1, e.kind, a.id)
		}
		recs = append(recs, record{arrival: t, data: []byte(data), key: a.id, shard: i % 2})
		evs = append(evs, e)
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "payments.jsonl"), recs)
	must(os.WriteFile(filepath.Join(dir, "accounts.json"), []byte(ref.String()), 0o644))
	rts := rowtimes(recs)

	type alert struct {
		at         time.Time
		acct, rule string
		cents      int64
		detail     string
	}
	var alerts []alert
	isChange := func(k string) bool { return k == "PASSWORD_RESET" || k == "EMAIL_CHANGED" || k == "PHONE_CHANGED" }
	for i, e := range evs {
		if e.kind != "TXN" {
			continue
		}
		if e.cents >= largeCents {
			for j := 0; j < i; j++ {
				c := evs[j]
				if isChange(c.kind) && c.acct == e.acct && !rts[j].Before(rts[i].Add(-resetWin)) {
					secs := rts[i].Sub(rts[j]).Milliseconds() / 1000
					alerts = append(alerts, alert{rts[i], e.acct.id, "SPEND_AFTER_CHANGE", e.cents, fmt.Sprintf("%s %d s before", c.kind, secs)})
				}
			}
		}
		for j := i - 1; j >= 0; j-- {
			p := evs[j]
			if rts[j].Before(rts[i].Add(-hopWin)) {
				break
			}
			if p.kind == "TXN" && p.acct == e.acct {
				if p.country != e.country {
					alerts = append(alerts, alert{rts[i], e.acct.id, "COUNTRY_HOP", e.cents, p.country + " -> " + e.country})
				}
				break
			}
		}
		n := 0
		for j := i; j >= 0 && !rts[j].Before(rts[i].Add(-velWin)); j-- {
			if evs[j].kind == "TXN" && evs[j].acct == e.acct {
				n++
			}
		}
		limit := velLimit
		if e.acct.tier == "gold" {
			limit += 3
		}
		if n >= limit && e.acct.tier != "staff" {
			alerts = append(alerts, alert{rts[i], e.acct.id, "VELOCITY", e.cents, fmt.Sprintf("%d payments in 2 min", n)})
		}
	}
	var lines []string
	for _, a := range alerts {
		lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"accountId":%q,"rule":%q,"amount":%s,"detail":%q}`, ts(a.at), a.acct, a.rule, cents(a.cents), a.detail))
	}
	writeLines(dir, "fraud-alerts.ndjson", lines)

	// The summary: alerts per rule in five-minute STEP windows of their
	// ROWTIME, each window emitted at its end.
	type sum struct {
		n            int
		total, large int64
	}
	lines = nil
	var g group[string, sum]
	var win time.Time
	flush := func() {
		for _, rule := range g.keys {
			s := g.accum[rule]
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"windowStart":%q,"rule":%q,"alerts":%d,"amount":%s,"largest":%s}`,
				ts(win.Add(5*time.Minute)), ts(win), rule, s.n, cents(s.total), cents(s.large)))
		}
		g = group[string, sum]{}
	}
	for _, a := range alerts {
		w := a.at.Truncate(5 * time.Minute)
		if len(g.keys) > 0 && !w.Equal(win) {
			flush()
		}
		win = w
		s := g.get(a.rule)
		s.n++
		s.total += a.cents
		s.large = max(s.large, a.cents)
	}
	flush()
	writeLines(dir, "alert-summary.ndjson", lines)
}

// cents writes an amount in cents as a number with two decimals.
func cents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
