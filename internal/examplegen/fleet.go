package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// fleetTelemetry: vehicle telemetry batches (examples/fleet-telemetry-terraform).
// Each record holds a vehicle and a batch of samples; every sample is a
// row. Samples stamped more than a minute before their record's arrival
// (a unit that was offline) or more than five seconds after it are
// dropped, as are heartbeats with no samples. Expected: each change of a
// vehicle's trouble code from one kept sample to its next (NULL to NULL is
// no change), and per fleet (missing: "unassigned") and arrival minute the
// sample count, fuel readings, lowest fuel, hottest coolant, samples with
// a code, worst delay, top speed and highest odometer, NULL when no sample
// had a value.
func fleetTelemetry(dir string) {
	rng := rand.New(rand.NewPCG(121, 122))
	type vehicle struct {
		vin, fleet    string // fleet "": none sent
		fleetNull     bool   // sent as null rather than left out
		coolant, fuel bool   // which sensors the unit has
		dtc           string
		odoTenths     int64
		lon, lat      float64
	}
	fleets := []string{"north", "south", "east"}
	var vs []*vehicle
	for i := 0; i < 24; i++ {
		v := &vehicle{vin: fmt.Sprintf("1FTFW1E5%dNFA%05d", i%10, 10+i*37), coolant: rng.IntN(5) < 3, fuel: rng.IntN(3) == 0,
			odoTenths: int64(100000 + rng.IntN(2000000)), lon: -0.3 + rng.Float64()*0.5, lat: 51.3 + rng.Float64()*0.4}
		switch {
		case i%9 == 4:
		case i%9 == 7:
			v.fleetNull = true
		default:
			v.fleet = fleets[rng.IntN(len(fleets))]
		}
		vs = append(vs, v)
	}
	codes := []string{"P0217", "P0300", "P0420", "U0100"}
	type sample struct {
		vin, fleet      string
		t               time.Time
		speed, lon, lat float64
		coolant, fuel   *int
		dtc             string
		odo             *int64
		kept            bool
	}
	var recs []record
	var rows [][]sample
	t := base.Add(time.Second)
	for i := 0; i < 1500; i++ {
		t = t.Add(time.Duration(80+rng.IntN(240)) * time.Millisecond)
		v := vs[rng.IntN(len(vs))]
		n := 1 + rng.IntN(4)
		offset := time.Duration(200+rng.IntN(4000)) * time.Millisecond
		switch {
		case i%61 == 17:
			offset = time.Duration(70+rng.IntN(120)) * time.Second // buffered while offline
		case i%89 == 30:
			offset = -time.Duration(8+rng.IntN(20)) * time.Second // the unit's clock runs ahead
		case i%53 == 9:
			n = 0 // a heartbeat
		}
		var batch []sample
		var js []string
		for k := 0; k < n; k++ {
			st := t.Add(-offset - time.Duration(n-1-k)*time.Second).Truncate(time.Millisecond)
			if rng.IntN(30) == 0 {
				if v.dtc == "" {
					v.dtc = codes[rng.IntN(len(codes))]
				} else if rng.IntN(2) == 0 {
					v.dtc = ""
				} else {
					v.dtc = codes[rng.IntN(len(codes))]
				}
			}
			v.lon += rng.NormFloat64() * 0.001
			v.lat += rng.NormFloat64() * 0.001
			v.odoTenths += int64(rng.IntN(8))
			lon, lat := fmt.Sprintf("%.5f", v.lon), fmt.Sprintf("%.5f", v.lat)
			speed := fmt.Sprintf("%.1f", rng.Float64()*110)
			s := sample{vin: v.vin, fleet: v.fleet, t: st, dtc: v.dtc}
			s.lon, _ = strconv.ParseFloat(lon, 64)
			s.lat, _ = strconv.ParseFloat(lat, 64)
			s.speed, _ = strconv.ParseFloat(speed, 64)
			var b strings.Builder
			fmt.Fprintf(&b, `{"t":%d,"pos":[%s,%s],"speed":%s`, st.UnixMilli(), lon, lat, speed)
			var engine []string
			if v.coolant && rng.IntN(8) > 0 {
				c := 80 + rng.IntN(30)
				s.coolant = &c
				engine = append(engine, fmt.Sprintf(`"coolant_c":%d`, c))
			}
			switch {
			case v.dtc != "":
				engine = append(engine, fmt.Sprintf(`"dtc":[%q]`, v.dtc))
			case rng.IntN(2) == 0:
				engine = append(engine, `"dtc":[]`)
			}
			if len(engine) > 0 || rng.IntN(2) == 0 {
				fmt.Fprintf(&b, `,"engine":{%s}`, strings.Join(engine, ","))
			}
			if v.fuel && rng.IntN(3) == 0 {
				f := 5 + rng.IntN(90)
				s.fuel = &f
				fmt.Fprintf(&b, `,"fuel":{"pct":%d}`, f)
			}
			if rng.IntN(10) > 0 {
				o := v.odoTenths
				s.odo = &o
				fmt.Fprintf(&b, `,"odo":"%d.%d"`, o/10, o%10)
			}
			b.WriteByte('}')
			js = append(js, b.String())
			s.kept = st.After(t.Add(-time.Minute)) && !st.After(t.Add(5*time.Second))
			batch = append(batch, s)
		}
		vin := v.vin
		switch rng.IntN(4) {
		case 0:
			vin = strings.ToLower(vin)
		case 1:
			vin = " " + vin + " "
		}
		fleet := ""
		switch {
		case v.fleet != "":
			fleet = fmt.Sprintf(`,"fleet":%q`, v.fleet)
		case v.fleetNull:
			fleet = `,"fleet":null`
		}
		data := fmt.Sprintf(`{"vehicle":{"vin":%q%s},"sent":%d,"samples":[%s]}`, vin, fleet, t.UnixMilli(), strings.Join(js, ","))
		recs = append(recs, record{arrival: t, data: []byte(data), key: v.vin, shard: i % 2})
		rows = append(rows, batch)
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "telemetry.jsonl"), recs)
	rts := rowtimes(recs)

	str := func(s string) string {
		if s == "" {
			return "null"
		}
		return jstr(s)
	}
	prev := map[string]string{} // a vehicle's code in its last kept sample ("": none)
	var changes []string
	for i, batch := range rows {
		for _, s := range batch {
			if !s.kept {
				continue
			}
			if p, seen := prev[s.vin]; seen && p != s.dtc {
				changes = append(changes, fmt.Sprintf(`{"ROWTIME":%q,"vin":%q,"sampled_at":%q,"previous":%s,"current":%s,"lon":%s,"lat":%s}`,
					ts(rts[i]), s.vin, ts(s.t), str(p), str(s.dtc), num(s.lon), num(s.lat)))
			}
			prev[s.vin] = s.dtc
		}
	}
	writeLines(dir, "dtc-changes.ndjson", changes)

	type acc struct {
		n, fuelN, delay int64
		withDTC         int
		fuel, coolant   *int
		speed           float64
		odo             *int64
	}
	// keep sets *p to v when v is not NULL and *p is NULL or v is lower
	// (or, with !lower, higher): MIN and MAX skip NULLs.
	keep := func(p **int, v *int, lower bool) {
		if v != nil && (*p == nil || (lower && *v < **p) || (!lower && *v > **p)) {
			*p = v
		}
	}
	var minutes []string
	var g group[string, acc]
	byMinute(rts, func(i int) {
		for _, s := range rows[i] {
			if !s.kept {
				continue
			}
			f := s.fleet
			if f == "" {
				f = "unassigned"
			}
			a := g.get(f)
			if a.n == 0 || s.speed > a.speed {
				a.speed = s.speed
			}
			a.n++
			if s.fuel != nil {
				a.fuelN++
			}
			keep(&a.fuel, s.fuel, true)
			keep(&a.coolant, s.coolant, false)
			if s.dtc != "" {
				a.withDTC++
			}
			a.delay = max(a.delay, rts[i].Sub(s.t).Milliseconds())
			if s.odo != nil && (a.odo == nil || *s.odo > *a.odo) {
				a.odo = s.odo
			}
		}
	}, func(end time.Time) {
		for _, k := range g.keys {
			a := g.accum[k]
			intOrNull := func(p *int) string {
				if p == nil {
					return "null"
				}
				return fmt.Sprint(*p)
			}
			odo := "null"
			if a.odo != nil {
				odo = fmt.Sprintf("%d.%d", *a.odo/10, *a.odo%10)
			}
			minutes = append(minutes, fmt.Sprintf(`{"ROWTIME":%q,"fleet":%q,"minute":%q,"samples":%d,"fuel_reports":%d,"lowest_fuel":%s,"hottest":%s,"with_dtc":%d,"max_delay_ms":%d,"max_delay_s":%d,"top_speed":%s,"max_odometer":%s}`,
				ts(end), k, ts(end.Add(-time.Minute)), a.n, a.fuelN, intOrNull(a.fuel), intOrNull(a.coolant), a.withDTC, a.delay, a.delay/1000, num(a.speed), odo))
		}
		g = group[string, acc]{}
	})
	writeLines(dir, "fleet-minute.ndjson", minutes)
}
