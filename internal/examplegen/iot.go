package main

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// iotMonitoring: device telemetry in the style of a team's Terraform
// module (examples/iot-monitoring-terraform). Readings of devices missing
// from the registry, retired or with a dying battery drop out; the rest
// are enriched (site from the device id, room, a temperature status
// against the device's limit, the ingest delay). Alerts are the injected
// faults of devices not under maintenance (RANDOM_CUT_FOREST is trusted to
// single out exactly the faults, as in
// the anomalies example) with the device's average temperature over the
// minute up to and including the alert; room statistics are per minute of
// arrival, groups in first-seen order.
func iotMonitoring(dir string) {
	rng := rand.New(rand.NewPCG(71, 72))
	type device struct {
		id, model, room, status string
		maxTemp, temp, hum      float64
	}
	devices := []device{
		{"plant-a/th-01", "TH-200", "boiler", "ACTIVE", 30, 24.5, 35},
		{"plant-a/th-02", "TH-200", "packing", "ACTIVE", 28, 20, 50},
		{"plant-a/th-03", "TH-100", "packing", "MAINTENANCE", 28, 21, 52},
		{"plant-b/th-01", "TH-300", "cold-store", "ACTIVE", 8, 4, 80},
		{"plant-b/th-02", "TH-300", "lab", "ACTIVE", 26, 22, 45},
		{"plant-b/th-09", "TH-100", "lab", "RETIRED", 26, 22, 45},
		{"plant-c/th-07", "TH-100", "office", "ACTIVE", 26, 21, 40}, // not in the registry
	}
	var csv strings.Builder
	for _, d := range devices[:6] {
		fmt.Fprintf(&csv, "%s,%s,%s,%s,%.1f\n", d.id, d.model, d.room, d.status, d.maxTemp)
	}
	type reading struct {
		dev        *device
		temp, hum  float64
		delayMs    int64
		fault, use bool
	}
	var recs []record
	var rs []reading
	t := base
	kept := 0
	for i := 0; i < 1500; i++ {
		t = t.Add(time.Duration(300+rng.IntN(600)) * time.Millisecond)
		d := &devices[rng.IntN(len(devices))]
		temp := d.temp + rng.NormFloat64()*0.3
		hum := d.hum + rng.NormFloat64()*1.0
		battery := 20 + rng.IntN(80)
		if rng.IntN(50) == 0 {
			battery = rng.IntN(5) // a dying battery: dropped
		}
		use := battery >= 5 && (d.status == "ACTIVE" || d.status == "MAINTENANCE") && d.id != "plant-c/th-07"
		fault := false
		if use {
			kept++
			if kept > 500 && kept%97 == 0 {
				fault = true
				temp, hum = temp+14, hum-24 // a door left open next to a heater
			}
		}
		delay := int64(50 + rng.IntN(1950))
		ts2 := strconv.FormatFloat(temp, 'f', 2, 64)
		hs := strconv.FormatFloat(hum, 'f', 1, 64)
		temp, _ = strconv.ParseFloat(ts2, 64)
		hum, _ = strconv.ParseFloat(hs, 64)
		readAt := t.Add(-time.Duration(delay) * time.Millisecond)
		data := fmt.Sprintf(`{"deviceId":%q,"readingTime":%q,"temperature":%s,"humidity":%s,"batteryPct":%d}`,
			d.id, readAt.Format("2006-01-02 15:04:05.000"), ts2, hs, battery)
		recs = append(recs, record{arrival: t, data: []byte(data), key: d.id, shard: i % 4})
		rs = append(rs, reading{dev: d, temp: temp, hum: hum, delayMs: delay, fault: fault, use: use})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "telemetry.jsonl"), recs)
	must(os.WriteFile(filepath.Join(dir, "devices.csv"), []byte(csv.String()), 0o644))
	rts := rowtimes(recs)
	status := func(r reading) string {
		switch {
		case r.temp >= r.dev.maxTemp:
			return "OVER_LIMIT"
		case r.temp >= r.dev.maxTemp-5:
			return "NEAR_LIMIT"
		}
		return "OK"
	}
	site := func(id string) string { s, _, _ := strings.Cut(id, "/"); return s }

	// Alerts: the faults, each with its device's mean temperature over the
	// readings kept in [ROWTIME - 1 minute, ROWTIME].
	var lines []string
	for i, r := range rs {
		if !r.fault || r.dev.status == "MAINTENANCE" { // devices under maintenance do not alert
			continue
		}
		var in []float64
		for j := 0; j <= i; j++ {
			if rs[j].use && rs[j].dev == r.dev && !rts[j].Before(rts[i].Add(-time.Minute)) {
				in = append(in, rs[j].temp)
			}
		}
		lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"deviceId":%q,"site":%q,"room":%q,"temperature":%s,"avgTemp1m":%s,"tempStatus":%q,"alertedAt":%q}`,
			ts(rts[i]), r.dev.id, site(r.dev.id), r.dev.room, num(r.temp), num(mean(in)), status(r), ts(rts[i])))
	}
	writeLines(dir, "device-alerts.ndjson", lines)

	// Room statistics per arrival minute.
	type stats struct {
		n, over  int
		sum      float64
		maxHum   float64
		maxDelay int64
	}
	lines = nil
	var g group[string, stats]
	byMinute(rts, func(i int) {
		r := rs[i]
		if !r.use {
			return
		}
		s := g.get(r.dev.room)
		if s.n == 0 || r.hum > s.maxHum {
			s.maxHum = r.hum
		}
		if s.n == 0 || r.delayMs > s.maxDelay {
			s.maxDelay = r.delayMs
		}
		s.n++
		s.sum += r.temp // GROUP BY adds DOUBLEs in arrival order (semantics.md)
		if status(r) == "OVER_LIMIT" {
			s.over++
		}
	}, func(end time.Time) {
		for _, room := range g.keys {
			s := g.accum[room]
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"room":%q,"minuteStart":%q,"readings":%d,"avgTemp":%s,"maxHumidity":%s,"maxDelayMs":%d,"overLimit":%d}`,
				ts(end), room, ts(end.Add(-time.Minute)), s.n, num(s.sum/float64(s.n)), num(s.maxHum), s.maxDelay, s.over))
		}
		g = group[string, stats]{}
	})
	writeLines(dir, "room-stats.ndjson", lines)
}

// mean is the exact sum of xs rounded once to a DOUBLE, divided by their
// count: what the compensated running sum of a sliding window (OVER)
// gives, whatever order rows entered and left it in.
func mean(xs []float64) float64 {
	var sum big.Rat
	for _, x := range xs {
		sum.Add(&sum, new(big.Rat).SetFloat64(x))
	}
	f, _ := sum.Float64()
	return f / float64(len(xs))
}
