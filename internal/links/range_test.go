package links_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// lookup is what the published range says of an identifier of kind and
// value: its entry in its bucket, or nil when the bucket has none (the
// client's answer "not known").
func lookup(t *testing.T, p *links.Published, kind, value string) *links.RangeEntry {
	t.Helper()
	h := links.RangeHash(kind, value)
	b, err := p.Bucket(h[:p.PrefixLength])
	if err != nil {
		t.Fatalf("bucket %s: %v", h[:p.PrefixLength], err)
	}
	var body struct {
		Version string             `json:"version"`
		Entries []links.RangeEntry `json:"entries"`
	}
	if err := json.Unmarshal(b.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Version != p.Version || body.Entries == nil {
		t.Fatalf("bucket body %s: want version %s and a list of entries", b, p.Version)
	}
	for _, e := range body.Entries {
		if e.Suffix == h[p.PrefixLength:] {
			return &e
		}
	}
	return nil
}

// TestRangeMatchesCheck: on a generated data set (recruiters' numbers and
// handles named by anonymous and staff-taken reports, some verified,
// victims' own numbers, a protected number, one marked wrongly reported),
// for every identifier indexed or protected, the published range answers
// exactly as the public check does: the check's coarse answer when it
// knows the identifier, no entry when it answers "not known".
func TestRangeMatchesCheck(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		coord, intakeStaff := w.actors["coordinator@hotline"], w.actors["intake@hotline"]
		rng := rand.New(rand.NewPCG(19, 1))
		phone := func(n int) string { return fmt.Sprintf("+855 12 700 %03d", n) }
		var reports []string
		for n := range 60 {
			sub := &intake.Submission{Language: "en", Country: "KH"}
			var a auth.Actor
			switch rng.IntN(5) {
			case 0:
				sub.Narrative = fmt.Sprintf("My own number is %s, please call me back.", phone(rng.IntN(8)))
			case 1:
				sub.Narrative = fmt.Sprintf("The agent on Telegram @golden_job_%d offered a casino job.", rng.IntN(4))
			default:
				sub.Narrative = fmt.Sprintf("The recruiter called from %s and promised a job in Sihanoukville.", phone(rng.IntN(12)))
			}
			if n%3 == 0 {
				a, sub.Channel = intakeStaff, []string{"phone", "walk_in", "chat"}[rng.IntN(3)]
			}
			ack, err := w.in.Submit(ctx, a, sub)
			if err != nil {
				t.Fatal(err)
			}
			reports = append(reports, ack.ID)
		}
		if err := w.runner.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range reports {
			if rng.IntN(3) == 0 {
				if _, err := w.links.SetVerified(ctx, coord, id, &links.VerifyIn{Verified: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := w.links.Protect(ctx, coord, &links.ProtectIn{Value: phone(1), Country: "KH", Note: "our hotline"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.links.Protect(ctx, coord, &links.ProtectIn{Value: "+855 12 999 111", Country: "KH", Note: "the embassy"}); err != nil {
			t.Fatal(err)
		}
		ids, err := db.Read().AllIdentifiers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The trust worker's read of many identifiers' reports in one
		// statement is the read of each alone, the newest limit of each.
		all := make([]string, len(ids))
		for k, i := range ids {
			all[k] = i.ID
		}
		for _, limit := range []int{3, 500} {
			// An identifier named twice is read once.
			many, err := db.Read().IdentifiersSignals(ctx, append(slices.Clone(all), "no-such-identifier", all[0]), limit)
			if err != nil {
				t.Fatal(err)
			}
			cut := 0
			for _, id := range all {
				one, err := db.Read().IdentifierSignals(ctx, id, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(one) == limit {
					cut++
				}
				if !reflect.DeepEqual(many[id], one) {
					t.Errorf("limit %d, identifier %s: read with others %+v, alone %+v", limit, id, many[id], one)
				}
			}
			if _, ok := many["no-such-identifier"]; ok || len(many) > len(all) {
				t.Errorf("limit %d: signals of %d identifiers for %d named", limit, len(many), len(all))
			}
			if limit == 3 && cut == 0 {
				t.Error("no identifier has more than 3 reports: the limit is not tested")
			}
		}
		var disputed bool
		for _, i := range ids {
			v, err := w.keys.OpenIdentifier(i.ID, i.Sealed)
			if err != nil {
				t.Fatal(err)
			}
			if i.Kind == "phone" && v == "+85512700002" {
				if _, err := w.links.SetWronglyReported(ctx, coord, i.ID, &links.WronglyReportedIn{WronglyReported: true, Reason: "the shelter's number"}); err != nil {
					t.Fatal(err)
				}
				disputed = true
			}
		}
		if !disputed {
			t.Fatal("the data set lacks +85512700002: change the seed")
		}

		p, err := w.links.Publish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type probe struct{ kind, value string }
		probes := []probe{{"phone", "+85512999111"}, {"phone", "+85512999112"}}
		for _, i := range ids {
			v, _ := w.keys.OpenIdentifier(i.ID, i.Sealed)
			probes = append(probes, probe{i.Kind, v})
		}
		known, unknown, kinds := 0, 0, map[string]bool{}
		for _, pr := range probes {
			ans, err := w.links.CheckDatabase(ctx, pr.value, "")
			var fe *invalid.Error
			if errors.As(err, &fe) {
				continue // the check cannot be asked for it (a place)
			}
			if err != nil {
				t.Fatal(err)
			}
			// The check itself answers from the range now that it is
			// current: word for word what the database says.
			if fromRange, err := w.links.Check(ctx, pr.value, ""); err != nil {
				t.Fatal(err)
			} else if g, want := mustJSON(t, fromRange), mustJSON(t, ans); g != want {
				t.Errorf("%s:%s: the check answers %s from the range, %s from the database", pr.kind, pr.value, g, want)
			}
			if ans.Kind != pr.kind || ans.Value != pr.value {
				t.Fatalf("check %s:%s read it as %s:%s", pr.kind, pr.value, ans.Kind, ans.Value)
			}
			got := lookup(t, p, pr.kind, pr.value)
			switch {
			case !ans.Known() && got != nil:
				t.Errorf("%s:%s: range has %+v; the check answers not known (%+v)", pr.kind, pr.value, *got, ans)
			case ans.Known() && got == nil:
				t.Errorf("%s:%s: range has no entry; the check answers %+v", pr.kind, pr.value, ans)
			case !ans.Known():
				unknown++
			default:
				known++
				kinds[fmt.Sprintf("%s %v %v %s", ans.Kind, ans.Reported, ans.Legitimate, ans.UnverifiedReports)] = true
				g, _ := json.Marshal(got.Coarse)
				want, _ := json.Marshal(ans.Coarse)
				if string(g) != string(want) {
					t.Errorf("%s:%s: range answers %s, the check %s", pr.kind, pr.value, g, want)
				}
			}
		}
		if unknown < 3 {
			t.Errorf("only %d identifiers the check does not know (victims' numbers, the disputed one, one never reported); want at least 3", unknown)
		}
		if known != p.Entries {
			t.Errorf("%d identifiers known to the check, %d published", known, p.Entries)
		}
		// The data set must exercise each kind of answer, else the test
		// proves little.
		for _, want := range []string{"phone true false none", "phone true false few", "phone false true none", "telegram true false none"} {
			if !kinds[want] {
				t.Errorf("no known answer of the shape %q in the data set; got %v", want, slices.Sorted(maps.Keys(kinds)))
			}
		}
		// The same answers publish as the same version.
		if again, err := w.links.Publish(ctx); err != nil || again.Version != p.Version {
			t.Errorf("republished unchanged: version %v, %v; want %s", again, err, p.Version)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCheckFromRange: the public check answers an identifier from the
// published range while the range is current for it, and from the database
// as soon as anything may have changed its answer — it was marked for
// weighing (every change to what the check reads of an identifier marks it,
// in the change's transaction) by a transaction of this process since the
// range's build began — so a check never answers from a version older than
// a change it could know of, and a mark of one identifier sends only that
// one to the database. A kept assessment written behind the service's back
// (as only another server would) shows which one answered.
func TestCheckFromRange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		coord := w.actors["coordinator@hotline"]
		ack, err := w.in.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Country: "KH",
			Narrative: "The recruiter called from +855 12 700 321 and promised a job in Sihanoukville. Another agent used +855 12 700 654."})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.runner.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.links.SetVerified(ctx, coord, ack.ID, &links.VerifyIn{Verified: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.links.WeighPending(ctx); err != nil {
			t.Fatal(err)
		}
		const q = "+855 12 700 321"
		band := func(check func(context.Context, string, string) (*links.CheckAnswer, error)) string {
			t.Helper()
			a, err := check(ctx, q, "")
			if err != nil {
				t.Fatal(err)
			}
			return a.Band
		}
		publish := func() {
			t.Helper()
			if _, err := w.links.Publish(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mark := func(id string) {
			t.Helper()
			if err := db.Tx(ctx, func(q store.Q) error { return q.MarkTrust(ctx, []string{id}) }); err != nil {
				t.Fatal(err)
			}
		}
		// Another server's trust worker weighs it again (here: its row
		// written directly, neither marked nor announced).
		id, other := w.keys.BlindIndex("phone", "+85512700321"), w.keys.BlindIndex("phone", "+85512700654")
		behind := func(verified int) {
			t.Helper()
			kept := &store.Trust{IdentifierID: id, Verified: verified, First: 1, Last: 2, Categories: []string{}, Public: true, ChangedAt: store.Now()}
			if err := db.Tx(ctx, func(q store.Q) error { return q.SaveTrust(ctx, []*store.Trust{kept}, nil) }); err != nil {
				t.Fatal(err)
			}
		}

		// expect: the check (from the range or the database, whichever it
		// takes) answers band want.
		expect := func(when, want string) {
			t.Helper()
			if got := band(w.links.Check); got != want {
				t.Errorf("%s: band %q, want %q", when, got, want)
			}
		}

		if got := band(w.links.Check); got != links.BandFew {
			t.Fatalf("before any build: band %q, want %q", got, links.BandFew)
		}
		publish()
		behind(7)
		if got := band(w.links.CheckDatabase); got != links.BandMany {
			t.Fatalf("the database's answer: band %q, want %q", got, links.BandMany)
		}
		expect("with the range current (no read of the database)", links.BandFew)
		// Another identifier marked: this one is still answered from the
		// range.
		mark(other)
		expect("after a mark of another identifier", links.BandFew)
		publish()
		expect("after the next build", links.BandMany)
		// This one marked for weighing: the check weighs the reports again
		// (one verified) at once, before any build.
		mark(id)
		expect("after a mark", links.BandFew)
		publish()
		expect("after the build that weighed the mark", links.BandFew)
		// A mark of every identifier (a rebuild) sends every check to the
		// database until the next build.
		if _, err := w.links.WeighPending(ctx); err != nil { // the trust worker clears the mark
			t.Fatal(err)
		}
		behind(7)
		publish()
		expect("after a build that read the row written behind", links.BandMany)
		if err := db.Tx(ctx, func(q store.Q) error { return q.MarkAllTrust(ctx) }); err != nil {
			t.Fatal(err)
		}
		expect("after every identifier was marked", links.BandFew)
		// A build that read while a mark was made but not committed did not
		// see it: the commit counts as a mark again.
		if _, err := w.links.WeighPending(ctx); err != nil {
			t.Fatal(err)
		}
		behind(7)
		publish()
		if err := db.Tx(ctx, func(q store.Q) error {
			if err := q.MarkTrust(ctx, []string{id}); err != nil {
				return err
			}
			publish()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		expect("after a mark committed during a build", links.BandFew)
	})
}

// TestPrefixFor: the prefix keeps at least 32 entries a bucket on
// average at the sizes docs/security.md states.
func TestPrefixFor(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{0, 1}, {100, 1}, {10_000, 2}, {1_000_000, 3}, {10_000_000, 4}, {1_000_000_000, 5}} {
		if got := links.PrefixFor(tc.n); got != tc.want {
			t.Errorf("PrefixFor(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// BenchmarkRangeBuild encodes a published range of 1M synthetic entries
// (sorting, bucketing, every body encoded): the part of a rebuild after
// the answers are read (docs/benchmarks.md).
func BenchmarkRangeBuild(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 19))
	list := make([]links.ListEntry, 1_000_000)
	for b.Loop() {
		b.StopTimer()
		for i := range list {
			list[i] = links.ListEntry{Hash: links.RangeHash("phone", fmt.Sprintf("+855%09d", rng.IntN(1e9))),
				Coarse: links.Coarse{Kind: "phone", Reported: true, Band: links.BandFew, UnverifiedReports: links.BandNone, FirstSeen: "2026-01", LastSeen: "2026-11", Categories: []string{"forced_scamming"}}}
		}
		b.StartTimer()
		if _, err := links.Build(list); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRangeApply builds a published range from the one before and
// 3,214 changed answers (what 1,000 generated reports changed at 1M
// reports: two thirds new entries, the rest changed or gone) at 1M
// published identifiers: the part of a build from changes after the
// changed rows are read (docs/benchmarks.md; target ≤ 1 s with the reads).
func BenchmarkRangeApply(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 20))
	coarse := links.Coarse{Kind: "phone", Reported: true, Band: links.BandFew, UnverifiedReports: links.BandNone, FirstSeen: "2026-01", LastSeen: "2026-11", Categories: []string{"forced_scamming"}}
	list := make([]links.ListEntry, 1_000_000)
	for i := range list {
		list[i] = links.ListEntry{Hash: links.RangeHash("phone", fmt.Sprintf("+855%09d", rng.IntN(1e9))), Coarse: coarse}
	}
	p, err := links.Build(list)
	if err != nil {
		b.Fatal(err)
	}
	many := coarse
	many.Band = links.BandMany
	changes := map[string]*links.Coarse{}
	for i := range 3214 {
		switch i % 3 {
		case 0:
			changes[list[rng.IntN(len(list))].Hash] = &many
		case 1:
			changes[list[rng.IntN(len(list))].Hash] = nil
		default:
			changes[links.RangeHash("telegram", fmt.Sprintf("@new_%d", i))] = &coarse
		}
	}
	for b.Loop() {
		if _, err := p.Apply(changes); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzBucket: any prefix a client sends gets a bucket or a refusal naming
// "prefix", never a panic; PrefixLength hex digits in either case always
// get a bucket.
func FuzzBucket(f *testing.F) {
	list := []links.ListEntry{}
	for i := range 600 {
		list = append(list, links.ListEntry{Hash: links.RangeHash("phone", fmt.Sprintf("+8551270%04d", i)), Coarse: links.Coarse{Kind: "phone", Band: links.BandFew, UnverifiedReports: links.BandNone, Categories: []string{}}})
	}
	p, err := links.Build(list)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"a", "A", "", "ab", "g", "%", "é", "0\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		b, err := p.Bucket(prefix)
		hex := len(prefix) == p.PrefixLength && strings.Trim(strings.ToLower(prefix), "0123456789abcdef") == ""
		switch {
		case hex && err != nil:
			t.Fatalf("Bucket(%q): %v; want a bucket", prefix, err)
		case !hex && !refusesPrefix(err):
			t.Fatalf("Bucket(%q): %v; want a refusal naming prefix", prefix, err)
		case err == nil && !json.Valid(b.Bytes()):
			t.Fatalf("Bucket(%q): %s is not JSON", prefix, b)
		}
	})
}

// refusesPrefix reports whether err is a 400 naming the field "prefix".
func refusesPrefix(err error) bool {
	var r *answer.Refusal
	return errors.As(err, &r) && r.Status == http.StatusBadRequest && r.Field == "prefix"
}

// TestRangeIncremental: after rounds of changes of every kind that moves
// an answer (reports filed by the public and by staff, verified and
// unverified, put in a case indirectly through verification, numbers
// protected and unprotected, marked wrongly reported, set victim-side),
// each weighed by the trust worker, a build from the version before and
// the changed assessments equals a full build by a new service: the same
// version and the same full list.
func TestRangeIncremental(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		coord, intakeStaff := w.actors["coordinator@hotline"], w.actors["intake@hotline"]
		rng := rand.New(rand.NewPCG(19, 2))
		phone := func(n int) string { return fmt.Sprintf("+855 12 710 %03d", n) }
		var reports, protected []string
		full := func() *links.Published {
			t.Helper()
			p, err := links.New(db, w.keys, w.in, slog.New(slog.DiscardHandler)).Publish(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		kinds := map[string]int{}
		var first *links.Published
		for round := range 6 {
			for range 12 {
				sub := &intake.Submission{Language: "en", Country: "KH"}
				var a auth.Actor
				switch rng.IntN(4) {
				case 0:
					sub.Narrative = fmt.Sprintf("The agent on Telegram @golden_inc_%d offered a casino job.", rng.IntN(5))
				default:
					sub.Narrative = fmt.Sprintf("The recruiter called from %s and promised a job in Sihanoukville.", phone(rng.IntN(15)))
				}
				if rng.IntN(3) == 0 {
					a, sub.Channel = intakeStaff, []string{"phone", "walk_in", "chat"}[rng.IntN(3)]
				}
				ack, err := w.in.Submit(ctx, a, sub)
				if err != nil {
					t.Fatal(err)
				}
				reports = append(reports, ack.ID)
			}
			if err := w.runner.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			for range 6 {
				id := reports[rng.IntN(len(reports))]
				if _, err := w.links.SetVerified(ctx, coord, id, &links.VerifyIn{Verified: rng.IntN(3) > 0}); err != nil {
					t.Fatal(err)
				}
			}
			switch round % 3 {
			case 0:
				// A number no report names, then one reports may name.
				v, err := w.links.Protect(ctx, coord, &links.ProtectIn{Value: fmt.Sprintf("+855 12 990 %03d", round), Country: "KH", Note: "an embassy"})
				if err != nil {
					t.Fatal(err)
				}
				protected = append(protected, v.ID)
				if v, err := w.links.Protect(ctx, coord, &links.ProtectIn{Value: phone(rng.IntN(15)), Country: "KH", Note: "a hotline"}); err == nil {
					protected = append(protected, v.ID)
				}
				kinds["protect"]++
			case 1:
				for range 2 {
					if len(protected) > 0 {
						if err := w.links.Unprotect(ctx, coord, protected[0]); err != nil {
							t.Fatal(err)
						}
						protected = protected[1:]
						kinds["unprotect"]++
					}
				}
			}
			idv, err := w.links.ReportIdentifiers(ctx, w.actors["investigator@hotline"], reports[rng.IntN(len(reports))])
			if err != nil {
				t.Fatal(err)
			}
			if len(idv) > 0 {
				switch round % 3 {
				case 1:
					if _, err := w.links.SetWronglyReported(ctx, coord, idv[0].ID, &links.WronglyReportedIn{WronglyReported: true, Reason: "a shelter's number"}); err != nil {
						t.Fatal(err)
					}
					kinds["dispute"]++
				case 2:
					if _, err := w.links.SetSide(ctx, coord, idv[0].ID, &links.SideIn{Side: store.SideVictim, Reason: "the reporter's own"}); err != nil {
						t.Fatal(err)
					}
					kinds["side"]++
				}
			}
			w.weighAll()
			got, err := w.links.Publish(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := full()
			if got.Version != want.Version || got.Entries != want.Entries || string(got.List().Bytes()) != string(want.List().Bytes()) {
				t.Fatalf("round %d: built from changes: version %s, %d entries; full build: %s, %d\n%s\n%s", round, got.Version, got.Entries, want.Version, want.Entries, got.List().Bytes(), want.List().Bytes())
			}
			kinds["entries"] = got.Entries
			// A client holding an earlier version catches up with the delta.
			if first == nil {
				first = got
				continue
			}
			body, err := got.ListSince(first.Version)
			if err != nil {
				t.Fatal(err)
			}
			var delta struct {
				Version, Since string
				Entries        []json.RawMessage
				Removed        []string
			}
			if err := json.Unmarshal(body.Bytes(), &delta); err != nil {
				t.Fatal(err)
			}
			if delta.Version != got.Version || delta.Since != first.Version {
				t.Fatalf("round %d: delta from %s to %s; want from %s to %s", round, delta.Since, delta.Version, first.Version, got.Version)
			}
			caught := entriesByHash(t, first.List().Bytes())
			for _, h := range delta.Removed {
				delete(caught, h)
			}
			for _, e := range delta.Entries {
				var k struct{ Hash string }
				json.Unmarshal(e, &k)
				caught[k.Hash] = string(e)
			}
			if want := entriesByHash(t, got.List().Bytes()); !maps.Equal(caught, want) {
				t.Errorf("round %d: the version of round 0 with the delta has %d entries, the current one %d, or they differ", round, len(caught), len(want))
			}
			kinds["delta"] += len(delta.Entries) + len(delta.Removed)
		}
		// An unknown version gets the full list; a malformed one a refusal.
		if b, err := first.ListSince("0123456789abcdef"); err != nil || !strings.Contains(string(b.Bytes()), `"entries":[`) || strings.Contains(string(b.Bytes()), `"since"`) {
			t.Errorf("unknown version: %v; want the full list", err)
		}
		if _, err := first.ListSince("x"); !errors.As(err, new(*answer.Refusal)) {
			t.Errorf("malformed version: %v; want a refusal", err)
		}
		if kinds["protect"] == 0 || kinds["unprotect"] == 0 || kinds["dispute"] == 0 || kinds["side"] == 0 || kinds["entries"] < 10 || kinds["delta"] == 0 {
			t.Errorf("the rounds did not exercise every change: %v", kinds)
		}
	})
}

// entriesByHash is a full list's entries as JSON, by hash.
func entriesByHash(t *testing.T, list []byte) map[string]string {
	t.Helper()
	var body struct{ Entries []json.RawMessage }
	if err := json.Unmarshal(list, &body); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range body.Entries {
		var k struct{ Hash string }
		if err := json.Unmarshal(e, &k); err != nil {
			t.Fatal(err)
		}
		out[k.Hash] = string(e)
	}
	return out
}

// TestApplyEqualsBuild: a version built from changes — entries changed,
// removed and added, at the start, middle and end of buckets, whole buckets
// emptied and new ones made, and a change of prefix length — is byte for
// byte the version built from the resulting list: same version, same
// buckets, same full list.
func TestApplyEqualsBuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 19))
	coarse := func(i int) links.Coarse {
		return links.Coarse{Kind: "phone", Reported: true, Band: []string{links.BandFew, links.BandMany}[i%2], UnverifiedReports: links.BandNone,
			FirstSeen: "2026-01", LastSeen: fmt.Sprintf("2026-%02d", 1+i%12), Categories: []string{}}
	}
	for _, size := range []int{0, 40, 5000, 70000} {
		cur := map[string]links.Coarse{}
		for i := range size {
			cur[links.RangeHash("phone", fmt.Sprintf("+855%09d", rng.IntN(1e9)))] = coarse(i)
		}
		build := func() *links.Published {
			var list []links.ListEntry
			for h, c := range cur {
				list = append(list, links.ListEntry{Hash: h, Coarse: c})
			}
			p, err := links.Build(list)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		p := build()
		for round := range 4 {
			changes := map[string]*links.Coarse{}
			keys := slices.Sorted(maps.Keys(cur))
			for i := range 1 + len(keys)/20 {
				switch i % 3 {
				case 0:
					if len(keys) > 0 {
						h := keys[rng.IntN(len(keys))]
						c := coarse(i + round + 1)
						changes[h], cur[h] = &c, c
					}
				case 1:
					if len(keys) > 0 {
						h := keys[rng.IntN(len(keys))]
						changes[h] = nil
						delete(cur, h)
					}
				default:
					h := links.RangeHash("telegram", fmt.Sprintf("@new_%d_%d_%d", size, round, i))
					c := coarse(i)
					changes[h], cur[h] = &c, c
				}
			}
			if round == 3 { // grow past the next prefix length
				for i := range size / 2 {
					h := links.RangeHash("line", fmt.Sprintf("grow_%d", i))
					c := coarse(i)
					changes[h], cur[h] = &c, c
				}
			}
			got, err := p.Apply(changes)
			if err != nil {
				t.Fatal(err)
			}
			want := build()
			if got.Version != want.Version || got.Entries != want.Entries || got.PrefixLength != want.PrefixLength {
				t.Fatalf("size %d round %d: applied %s (%d entries, prefix %d), built %s (%d, %d)", size, round,
					got.Version, got.Entries, got.PrefixLength, want.Version, want.Entries, want.PrefixLength)
			}
			if g, w := got.List().Bytes(), want.List().Bytes(); string(g) != string(w) {
				t.Fatalf("size %d round %d: the lists differ (%d and %d bytes)", size, round, len(g), len(w))
			}
			for i := range 1 << (4 * want.PrefixLength) {
				prefix := fmt.Sprintf("%0*x", want.PrefixLength, i)
				g, _ := got.Bucket(prefix)
				w, _ := want.Bucket(prefix)
				if string(g.Bytes()) != string(w.Bytes()) {
					t.Fatalf("size %d round %d: bucket %s differs", size, round, prefix)
				}
			}
			p = got
		}
	}
}

// TestBucketGzip: a bucket compressed with gzip is the bucket's body, byte
// for byte, once undone, in every bucket, empty ones included; its start is
// compressed once and shared by the next version when the bucket did not
// change (the same bytes), while a changed bucket and every tail carry the
// new version; it is under a third of the body's size; a bad prefix is
// refused as Bucket refuses it.
func TestBucketGzip(t *testing.T) {
	var list []links.ListEntry
	for i := range 5000 {
		list = append(list, links.ListEntry{Hash: links.RangeHash("phone", fmt.Sprintf("+85512%06d", i)),
			Coarse: links.Coarse{Kind: "phone", Reported: true, Band: links.BandFew, UnverifiedReports: links.BandNone, Categories: []string{"recruitment"}}})
	}
	p, err := links.Build(list)
	if err != nil {
		t.Fatal(err)
	}
	gunzip := func(z []byte) []byte {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// starts are the compressed starts of p's buckets, by prefix.
	check := func(p *links.Published, prefixLength int) (starts map[string]*byte) {
		t.Helper()
		starts = map[string]*byte{}
		plain, zipped := 0, 0
		for i := range 1 << (4 * prefixLength) {
			prefix := fmt.Sprintf("%0*x", prefixLength, i)
			body, _ := p.Bucket(prefix)
			z, err := p.BucketGzip(strings.ToUpper(prefix))
			if err != nil {
				t.Fatal(err)
			}
			if got := gunzip(z.Bytes()); !bytes.Equal(got, body.Bytes()) {
				t.Fatalf("bucket %s: gzip holds %q, want %q", prefix, got, body.Bytes())
			}
			if len(z) == 3 {
				if again, _ := p.BucketGzip(prefix); &again[1][0] != &z[1][0] {
					t.Errorf("bucket %s compressed twice", prefix)
				}
				starts[prefix] = &z[1][0]
			}
			plain, zipped = plain+body.Len(), zipped+z.Len()
		}
		if zipped*3 > plain {
			t.Errorf("compressed %d of %d bytes; want under a third", zipped, plain)
		}
		return starts
	}
	before := check(p, p.PrefixLength)
	if len(before) != 1<<(4*p.PrefixLength) {
		t.Fatalf("%d of %d buckets have entries; the test wants all", len(before), 1<<(4*p.PrefixLength))
	}
	c := links.Coarse{Kind: "phone", Reported: true, Band: links.BandMany, UnverifiedReports: links.BandNone, Categories: []string{}}
	next, err := p.Apply(map[string]*links.Coarse{list[0].Hash: &c})
	if err != nil {
		t.Fatal(err)
	}
	if next.Version == p.Version || next.PrefixLength != p.PrefixLength {
		t.Fatalf("a change: version %s → %s, prefix %d → %d", p.Version, next.Version, p.PrefixLength, next.PrefixLength)
	}
	after := check(next, next.PrefixLength)
	changed := list[0].Hash[:p.PrefixLength]
	for prefix, start := range after {
		if shared := start == before[prefix]; shared != (prefix != changed) {
			t.Errorf("bucket %s: compressed start shared with the version before %v; want %v", prefix, shared, prefix != changed)
		}
	}
	// A bucket with no entry.
	one, err := links.Build(list[:1])
	if err != nil {
		t.Fatal(err)
	}
	empty := "0"
	if list[0].Hash[0] == '0' {
		empty = "1"
	}
	z, _ := one.BucketGzip(empty)
	if got := string(gunzip(z.Bytes())); got != `{"entries":[],"version":"`+one.Version+`"}` {
		t.Errorf("an empty bucket: %s", got)
	}
	if _, err := p.BucketGzip("zz"); answer.Of(err).Field != "prefix" {
		t.Errorf("prefix zz: %v; want refused naming prefix", err)
	}
}
