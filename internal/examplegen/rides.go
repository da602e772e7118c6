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

// rides: a ride-hailing operations app loaded from describe-application
// output (examples/rides-describe). Trips are read with an input
// parallelism of two (even trips on shard 0, odd on shard 1) and merged by
// two pumps; arrivals are strictly increasing, so the merged stream is in
// arrival order. Expected: HOTSPOTS over the last 300 pickups (radius
// 0.01, 15 points) for every pickup; a surge signal for each pickup whose
// zone's last 20 events (itself included) hold at least 14 pickups; and
// dropoffs, fares and the largest party per zone in 30-second STEP
// windows (first-seen zone order).
func rides(dir string) {
	rng := rand.New(rand.NewPCG(111, 112))
	zones := [][2]float64{{-73.9857, 40.7484}, {-73.9680, 40.7851}, {-74.0110, 40.7060}, {-73.7781, 40.6413}, {-73.9442, 40.6782}, {-73.8740, 40.7769}}
	type ev struct {
		trip, kind string
		zone       int
		lon, lat   float64
		fareCents  int64 // dropoffs only
		party      int
	}
	type open struct {
		id    string
		party int
	}
	var recs []record
	var evs []ev
	var trips []open
	t := base.Add(2 * time.Second)
	next := 1
	for i := 0; i < 1600; i++ {
		t = t.Add(time.Duration(40+rng.IntN(160)) * time.Millisecond)
		surge := i >= 500 && i < 800 // a flight bank lands: the airport zone fills with pickups
		var e ev
		if len(trips) > 40 || (len(trips) > 0 && rng.IntN(2) == 0 && !surge) || (surge && len(trips) > 0 && rng.IntN(4) == 0) {
			k := rng.IntN(len(trips))
			o := trips[k]
			trips = append(trips[:k], trips[k+1:]...)
			z := rng.IntN(len(zones))
			e = ev{trip: o.id, kind: "dropoff", zone: z + 1, fareCents: int64(800 + rng.IntN(6000)), party: o.party}
		} else {
			z := rng.IntN(len(zones))
			if surge && rng.IntN(3) > 0 {
				z = 3
			}
			o := open{id: fmt.Sprintf("T%05d", next), party: 1 + rng.IntN(4)}
			next++
			trips = append(trips, o)
			e = ev{trip: o.id, kind: "pickup", zone: z + 1, party: o.party}
		}
		c := zones[e.zone-1]
		lon, lat := fmt.Sprintf("%.5f", c[0]+rng.NormFloat64()*0.006), fmt.Sprintf("%.5f", c[1]+rng.NormFloat64()*0.005)
		e.lon, _ = strconv.ParseFloat(lon, 64)
		e.lat, _ = strconv.ParseFloat(lat, 64)
		kind := e.kind
		if rng.IntN(3) == 0 {
			kind = strings.ToUpper(kind[:1]) + kind[1:] // an older driver app capitalises
		}
		fare := "null"
		if e.kind == "dropoff" {
			fare = fmt.Sprintf("%d.%02d", e.fareCents/100, e.fareCents%100)
		}
		data := fmt.Sprintf(`{"trip_id":%q,"event":%q,"zone":%d,"location":{"lon":%s,"lat":%s},"fare_amount":%s,"passenger_count":%d}`,
			e.trip, kind, e.zone, lon, lat, fare, e.party)
		tripNo, _ := strconv.Atoi(e.trip[1:])
		recs = append(recs, record{arrival: t, data: []byte(data), key: e.trip, shard: tripNo % 2})
		evs = append(evs, e)
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "trips.jsonl"), recs)
	rts := rowtimes(recs)

	var hot, surge []string
	var pickups [][2]float64
	recent := map[int][]string{}
	for i, e := range evs {
		w := append(recent[e.zone], e.kind)
		if len(w) > 20 {
			w = w[1:]
		}
		recent[e.zone] = w
		if e.kind != "pickup" {
			continue
		}
		pickups = append(pickups, [2]float64{e.lon, e.lat})
		win := pickups[max(0, len(pickups)-300):]
		hot = append(hot, fmt.Sprintf(`{"ROWTIME":%q,"lon":%s,"lat":%s,"HOTSPOTS_RESULT":%s}`,
			ts(rts[i]), num(e.lon), num(e.lat), jstr(bruteHotspots(win, 0.01, 15))))
		p := 0
		for _, k := range w {
			if k == "pickup" {
				p++
			}
		}
		if p >= 14 {
			surge = append(surge, fmt.Sprintf(`{"ROWTIME":%q,"zone_id":%d,"trip_id":%q,"recent_pickups":%d,"recent_events":%d}`,
				ts(rts[i]), e.zone, e.trip, p, len(w)))
		}
	}
	writeLines(dir, "pickup-hotspots.ndjson", hot)
	writeLines(dir, "surge-signals.ndjson", surge)

	type acc struct {
		n, cents int64
		party    int
	}
	var zt []string
	var g group[int, acc]
	byWindow(rts, 30*time.Second, func(i int) {
		e := evs[i]
		if e.kind != "dropoff" {
			return
		}
		a := g.get(e.zone)
		a.n++
		a.cents += e.fareCents
		a.party = max(a.party, e.party)
	}, func(end time.Time) {
		for _, z := range g.keys {
			a := g.accum[z]
			zt = append(zt, fmt.Sprintf(`{"ROWTIME":%q,"window_start":%q,"zone_id":%d,"dropoffs":%d,"fares":%d.%02d,"max_party":%d}`,
				ts(end), ts(end.Add(-30*time.Second)), z, a.n, a.cents/100, a.cents%100, a.party))
		}
		g = group[int, acc]{}
	})
	writeLines(dir, "zone-trips.ndjson", zt)
}
