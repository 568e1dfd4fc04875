package export

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/store"
)

// tlpMarkings are the TLP marking definitions of the STIX 2.1 specification
// (section 7.2.1.4), by level: their ids are fixed by the standard.
var tlpMarkings = map[string]string{
	"white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
	"green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
	"amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
	"red":   "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}

// TLPs returns the TLP levels a STIX export is marked with.
func TLPs() []string { return []string{"white", "green", "amber", "red"} }

// scoNamespace is the namespace of the deterministic ids of STIX cyber
// observables (STIX 2.1 section 2.9).
var scoNamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// vigilNamespace is the namespace of the ids Vigil gives its STIX domain
// objects: UUIDv5 of what the object is about, so a re-export gives the same
// ids.
var vigilNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://vigil-project.org/stix"))

// The custom observable types: STIX 2.1 has no phone number or crypto
// wallet observable. Vigil defines them as new SCOs with an
// extension-definition each, named as OpenCTI names its own (phone-number,
// cryptocurrency-wallet, each with a value), so OpenCTI maps them onto its
// observables.
const (
	phoneSCO  = "phone-number"
	walletSCO = "cryptocurrency-wallet"
)

// specCreated is the creation time of Vigil's extension definitions.
const specCreated = "2026-12-01T00:00:00.000Z"

// messaging are the identifier kinds exported as user-account observables
// (account_type is the kind: an open vocabulary).
var messaging = []string{"telegram", "whatsapp", "line", "wechat", "facebook", "instagram", "tiktok"}

// wallets are the identifier kinds exported as cryptocurrency-wallet.
var wallets = []string{"btc", "eth", "tron"}

// stixKind reports whether identifiers of kind k are exported as STIX
// indicators: the public-grade kinds (phone, e-mail, URL, domain, wallet,
// messaging account). Passports, bank accounts, IBANs, companies and
// places are not indicators.
func stixKind(k string) bool {
	switch k {
	case "phone", "email", "url", "domain":
		return true
	}
	return slices.Contains(messaging, k) || slices.Contains(wallets, k)
}

// stixPlan is a STIX bundle ready to be written: what its objects are
// made from, and how many there are.
type stixPlan struct {
	e        *Export
	id       string
	identity string
	marks    []string
	ext      map[string]string // extension definition by SCO type
	places   map[string]int64  // first named, by gazetteer place
	locs     []string          // the places with a location, sorted
	locIDs   map[string]string
	actors   []*stixActor
	idents   []*stixIdent // by indicator id
	count    int
}

// stixIdent is an identifier as the STIX export sees it.
type stixIdent struct {
	id          string // the link index's
	kind, value string
	reports     int
	first, last int64
	// clusters are the link clusters of the reports naming it.
	clusters map[string]bool
	// indicator, verified and confidence are set when the bundle is laid
	// out.
	indicator  string
	verified   int
	confidence int
}

// stixCluster is a link cluster of the export's reports.
type stixCluster struct {
	reports     int
	first, last int64
	idents      map[string]bool
	places      map[string]bool
}

// planSTIX reads the export's reports, their identifiers and clusters,
// and builds the bundle. It holds one entry per identifier and cluster of
// the organisation, not per report.
func (s *Service) planSTIX(ctx context.Context, e *Export) (*stixPlan, error) {
	q := s.db.Read()
	idents := map[string]*stixIdent{}
	skip := map[string]bool{}
	clusters := map[string]*stixCluster{}
	places := map[string]int64{} // gazetteer place → first named
	err := e.walk(ctx, func(page []*store.Report) error {
		ids := make([]string, len(page))
		for i, r := range page {
			ids[i] = r.ID
		}
		links, err := q.GetReportLinks(ctx, ids)
		if err != nil {
			return fmt.Errorf("export: stix: %w", err)
		}
		var unseen []string
		for _, l := range links {
			for _, ref := range l.Identifiers {
				if idents[ref.IdentifierID] == nil && !skip[ref.IdentifierID] && !slices.Contains(unseen, ref.IdentifierID) {
					unseen = append(unseen, ref.IdentifierID)
				}
			}
		}
		if err := s.stixIdentifiers(ctx, q, unseen, idents, skip); err != nil {
			return err
		}
		for _, r := range page {
			var named []string
			for _, p := range r.Places {
				if p.PlaceID == "" {
					continue
				}
				named = append(named, p.PlaceID)
				if f, ok := places[p.PlaceID]; !ok || r.ReceivedAt < f {
					places[p.PlaceID] = r.ReceivedAt
				}
			}
			l := links[r.ID]
			if l == nil {
				continue
			}
			c := clusters[l.ClusterID]
			if c == nil {
				c = &stixCluster{first: r.ReceivedAt, last: r.ReceivedAt, idents: map[string]bool{}, places: map[string]bool{}}
				clusters[l.ClusterID] = c
			}
			c.reports++
			c.first, c.last = min(c.first, r.ReceivedAt), max(c.last, r.ReceivedAt)
			for _, p := range named {
				c.places[p] = true
			}
			for _, ref := range l.Identifiers {
				i := idents[ref.IdentifierID]
				if i == nil {
					continue
				}
				if i.reports == 0 {
					i.first, i.last = r.ReceivedAt, r.ReceivedAt
				}
				i.reports++
				i.first, i.last = min(i.first, r.ReceivedAt), max(i.last, r.ReceivedAt)
				i.clusters[l.ClusterID] = true
				c.idents[i.id] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	verified := map[string]int{}
	for id, i := range idents {
		if i.reports == 0 {
			continue
		}
		sig, err := q.IdentifierSignals(ctx, id, 1000)
		if err != nil {
			return nil, fmt.Errorf("export: stix: %w", err)
		}
		for _, g := range sig {
			if g.Verified && g.OrgID == e.a.OrgID && g.ReceivedAt >= e.filter().ReceivedFrom {
				verified[id]++
			}
		}
	}
	return buildSTIX(e, idents, verified, clusters, places)
}

// stixIdentifiers reads the identifiers ids, keeping in idents those the
// export shares (see shared; and not a registered legitimate contact nor
// disputed by any organisation) and marking the others in skip.
func (s *Service) stixIdentifiers(ctx context.Context, q store.Q, ids []string, idents map[string]*stixIdent, skip map[string]bool) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		got, err := q.GetIdentifiers(ctx, ids[:n])
		if err != nil {
			return fmt.Errorf("export: stix: %w", err)
		}
		for _, id := range ids[:n] {
			skip[id] = true
		}
		for _, i := range got {
			if !shared(i) {
				continue
			}
			protected, disputed, err := q.CheckMarks(ctx, i.ID)
			if err != nil {
				return fmt.Errorf("export: stix: %w", err)
			}
			if protected || disputed {
				continue
			}
			v, err := s.keys.OpenIdentifier(i.ID, i.Sealed)
			if err != nil {
				return fmt.Errorf("export: stix: identifier %s: %w", i.ID, err)
			}
			delete(skip, i.ID)
			idents[i.ID] = &stixIdent{id: i.ID, kind: i.Kind, value: v, clusters: map[string]bool{}}
		}
		ids = ids[n:]
	}
	return nil
}

// shared reports whether an identifier goes into a STIX export: a
// public-grade kind that is never a victim's or reporter's contact, and
// either recruiter-side (what the public check answers for) or a wallet
// (payments go to the traffickers; text rarely calls a wallet the
// recruiter's).
func shared(i *store.Identifier) bool {
	if !stixKind(i.Kind) || i.VictimSide() {
		return false
	}
	return i.Public() || slices.Contains(wallets, i.Kind)
}

// confidence is the STIX confidence (0–100) of an identifier named in
// reports reports, verified of them verified by staff (in a case, or
// marked verified): unverified reports alone reach at most 50, a verified
// one starts at 70.
func confidence(reports, verified int) int {
	if verified == 0 {
		return min(50, 20+10*(reports-1))
	}
	return min(95, 70+10*(verified-1))
}

func stixID(typ, name string) string {
	return typ + "--" + uuid.NewSHA1(vigilNamespace, []byte(typ+":"+name)).String()
}

// scoID is the deterministic id of an observable: UUIDv5 of its
// ID-contributing properties as canonical JSON (RFC 8785: sorted keys, no
// HTML escaping).
func scoID(typ string, props map[string]string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(props) // map keys are sorted; strings always encode
	return typ + "--" + uuid.NewSHA1(scoNamespace, bytes.TrimSuffix(b.Bytes(), []byte("\n"))).String()
}

// patternString quotes s as a STIX pattern string literal.
func patternString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// observable returns the SCO for an identifier and the pattern that
// matches it.
func observable(i *stixIdent, ext map[string]string) (map[string]any, string) {
	o := map[string]any{"spec_version": "2.1"}
	var pattern string
	switch {
	case i.kind == "phone":
		o["type"], o["value"] = phoneSCO, i.value
		o["id"] = scoID(phoneSCO, map[string]string{"value": i.value})
		o["extensions"] = map[string]any{ext[phoneSCO]: map[string]string{"extension_type": "new-sco"}}
		pattern = "[phone-number:value = " + patternString(i.value) + "]"
	case slices.Contains(wallets, i.kind):
		o["type"], o["value"] = walletSCO, i.value
		o["id"] = scoID(walletSCO, map[string]string{"value": i.value})
		o["extensions"] = map[string]any{ext[walletSCO]: map[string]string{"extension_type": "new-sco"}}
		pattern = "[cryptocurrency-wallet:value = " + patternString(i.value) + "]"
	case i.kind == "email":
		o["type"], o["value"] = "email-addr", i.value
		o["id"] = scoID("email-addr", map[string]string{"value": i.value})
		pattern = "[email-addr:value = " + patternString(i.value) + "]"
	case i.kind == "url":
		o["type"], o["value"] = "url", i.value
		o["id"] = scoID("url", map[string]string{"value": i.value})
		pattern = "[url:value = " + patternString(i.value) + "]"
	case i.kind == "domain":
		o["type"], o["value"] = "domain-name", i.value
		o["id"] = scoID("domain-name", map[string]string{"value": i.value})
		pattern = "[domain-name:value = " + patternString(i.value) + "]"
	default: // messaging accounts
		o["type"], o["account_login"], o["account_type"] = "user-account", i.value, i.kind
		o["id"] = scoID("user-account", map[string]string{"account_login": i.value, "account_type": i.kind})
		pattern = "[user-account:account_type = " + patternString(i.kind) + " AND user-account:account_login = " + patternString(i.value) + "]"
	}
	return o, pattern
}

// kindNames name the kinds in indicator names.
var kindNames = map[string]string{
	"phone": "Phone number", "email": "E-mail address", "url": "URL", "domain": "Domain",
	"telegram": "Telegram account", "whatsapp": "WhatsApp account", "line": "LINE account", "wechat": "WeChat account",
	"facebook": "Facebook account", "instagram": "Instagram account", "tiktok": "TikTok account",
	"btc": "Bitcoin wallet", "eth": "Ethereum wallet", "tron": "TRON wallet",
}

// stixActor is a threat actor: a link cluster of two or more reports with
// an indicator.
type stixActor struct {
	id          string
	first, last int64
	reports     int
	members     []*stixIdent // oldest first
	places      []string
}

// buildSTIX lays out the bundle (see stixPlan.each) from what planSTIX
// gathered, and counts its objects. It keeps the identifiers, clusters and
// places, not the objects: those are made again as they are written.
func buildSTIX(e *Export, idents map[string]*stixIdent, verified map[string]int, clusters map[string]*stixCluster, places map[string]int64) (*stixPlan, error) {
	p := &stixPlan{e: e, id: "bundle--" + uuid.NewSHA1(vigilNamespace, []byte("bundle:"+e.org.ID+":"+e.r.TLP+":"+e.r.Since.String())).String(),
		places: places, locIDs: map[string]string{}, ext: map[string]string{}}
	p.marks = []string{tlpMarkings[e.r.TLP]}
	p.identity = stixID("identity", e.org.ID)
	for _, t := range []string{phoneSCO, walletSCO} {
		p.ext[t] = stixID("extension-definition", t)
	}
	g := gazetteer.Default()
	for _, id := range sortedKeys(places) {
		if _, ok := g.Lookup(id); ok {
			p.locs = append(p.locs, id)
			p.locIDs[id] = stixID("location", id)
		}
	}
	for _, i := range idents {
		if i.reports == 0 {
			continue
		}
		i.indicator = stixID("indicator", i.kind+":"+i.value)
		i.verified = verified[i.id]
		i.confidence = confidence(i.reports, i.verified)
		p.idents = append(p.idents, i)
	}
	slices.SortFunc(p.idents, func(a, b *stixIdent) int { return strings.Compare(a.indicator, b.indicator) })
	for _, c := range clusters {
		a := &stixActor{first: c.first, last: c.last, reports: c.reports}
		for id := range c.idents {
			if i := idents[id]; i != nil && i.indicator != "" {
				a.members = append(a.members, i)
			}
		}
		if c.reports < 2 || len(a.members) == 0 {
			continue
		}
		// Named after the oldest indicator, so that the id stays the same
		// while the cluster grows.
		slices.SortFunc(a.members, func(x, y *stixIdent) int {
			return cmp.Or(cmp.Compare(x.first, y.first), cmp.Compare(x.kind, y.kind), cmp.Compare(x.value, y.value))
		})
		a.id = stixID("threat-actor", a.members[0].kind+":"+a.members[0].value)
		for _, pl := range sortedKeys(c.places) {
			if p.locIDs[pl] != "" {
				a.places = append(a.places, pl)
			}
		}
		p.actors = append(p.actors, a)
	}
	slices.SortFunc(p.actors, func(x, y *stixActor) int { return strings.Compare(x.id, y.id) })
	if err := p.each(func(map[string]any) error { p.count++; return nil }); err != nil {
		return nil, err
	}
	return p, nil
}

// each makes the bundle's objects one at a time and passes them to emit:
// the TLP marking, the organisation's identity, the extension
// definitions, the locations (by place), each threat actor followed by
// its relationships (by id), then each indicator followed by its
// observable and their based-on relationship (by indicator id).
func (p *stixPlan) each(emit func(map[string]any) error) error {
	e, marks, identity := p.e, p.marks, p.identity
	orgCreated := stamp(e.org.CreatedAt)
	objs := []map[string]any{
		{"type": "marking-definition", "spec_version": "2.1", "id": marks[0], "created": "2017-01-20T00:00:00.000Z",
			"name": "TLP:" + strings.ToUpper(e.r.TLP), "definition_type": "tlp", "definition": map[string]string{"tlp": e.r.TLP}},
		{"type": "identity", "spec_version": "2.1", "id": identity, "created": orgCreated, "modified": orgCreated,
			"name": e.org.Name, "identity_class": "organization", "object_marking_refs": marks},
	}
	for _, t := range []struct{ typ, name, desc string }{
		{phoneSCO, "Phone number", "A telephone number (E.164) used by a recruiter or a scam compound; value is the number."},
		{walletSCO, "Cryptocurrency wallet", "A cryptocurrency wallet address used to take payments; value is the address as written on its chain."},
	} {
		objs = append(objs, map[string]any{"type": "extension-definition", "spec_version": "2.1", "id": p.ext[t.typ],
			"created": specCreated, "modified": specCreated, "created_by_ref": identity, "name": t.typ, "description": t.desc,
			"schema":  "Vigil's " + t.name + " observable (type " + t.typ + "): one string property, value. " + t.desc,
			"version": "1.0", "extension_types": []string{"new-sco"}})
	}
	g := gazetteer.Default()
	for _, id := range p.locs {
		pl, _ := g.Lookup(id)
		at := stamp(p.places[id])
		objs = append(objs, map[string]any{"type": "location", "spec_version": "2.1", "id": p.locIDs[id], "created": at, "modified": at,
			"created_by_ref": identity, "name": pl.Name, "country": pl.Country, "latitude": pl.Lat, "longitude": pl.Lon,
			"object_marking_refs": marks})
	}
	for _, o := range objs {
		if err := emit(o); err != nil {
			return err
		}
	}
	for _, a := range p.actors {
		first, last := stamp(a.first), stamp(a.last)
		best := 0
		for _, m := range a.members {
			best = max(best, m.confidence)
		}
		err := emit(map[string]any{"type": "threat-actor", "spec_version": "2.1", "id": a.id, "created": first, "modified": last,
			"created_by_ref": identity, "name": "Recruitment network of " + a.members[0].value,
			"description":        fmt.Sprintf("Reports to %s linked by shared contacts: %d report(s), %d indicator(s).", e.org.Name, a.reports, len(a.members)),
			"threat_actor_types": []string{"crime-syndicate"}, "first_seen": first, "last_seen": last, "confidence": best,
			"primary_motivation": "personal-gain", "object_marking_refs": marks})
		if err != nil {
			return err
		}
		for _, m := range a.members {
			if err := emit(relationship("indicates", m.indicator, a.id, first, last, identity, marks)); err != nil {
				return err
			}
		}
		for _, pl := range a.places {
			if err := emit(relationship("located-at", a.id, p.locIDs[pl], first, last, identity, marks)); err != nil {
				return err
			}
		}
	}
	for _, i := range p.idents {
		sco, pattern := observable(i, p.ext)
		first, last := stamp(i.first), stamp(i.last)
		err := emit(map[string]any{"type": "indicator", "spec_version": "2.1", "id": i.indicator, "created": first, "modified": last,
			"created_by_ref": identity, "name": kindNames[i.kind] + " " + i.value,
			"description":     fmt.Sprintf("Named as a recruiter's or scam compound's in %d report(s) to %s (%d verified by staff), first %s, last %s.", i.reports, e.org.Name, i.verified, first[:10], last[:10]),
			"indicator_types": []string{"malicious-activity"}, "pattern": pattern, "pattern_type": "stix", "pattern_version": "2.1",
			"valid_from": first, "confidence": i.confidence, "labels": []string{"vigil:" + i.kind}, "object_marking_refs": marks,
			"x_vigil_reports": i.reports, "x_vigil_verified_reports": i.verified})
		if err != nil {
			return err
		}
		sco["object_marking_refs"] = marks
		if err := emit(sco); err != nil {
			return err
		}
		if err := emit(relationship("based-on", i.indicator, sco["id"].(string), first, last, identity, marks)); err != nil {
			return err
		}
	}
	return nil
}

// relationship is an SRO; its id is derived from its three parts.
func relationship(typ, from, to, first, last, identity string, marks []string) map[string]any {
	return map[string]any{"type": "relationship", "spec_version": "2.1", "id": stixID("relationship", typ+":"+from+":"+to),
		"created": first, "modified": last, "created_by_ref": identity, "relationship_type": typ,
		"source_ref": from, "target_ref": to, "object_marking_refs": marks}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// writeSTIX writes the bundle, one object at a time as it is made.
func (e *Export) writeSTIX(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\n\"type\": \"bundle\",\n\"id\": %q,\n\"objects\": [\n", e.stix.id)
	var b bytes.Buffer
	en := json.NewEncoder(&b)
	en.SetEscapeHTML(false)
	n := 0
	err := e.stix.each(func(o map[string]any) error {
		if n > 0 {
			bw.WriteString(",\n")
		}
		n++
		b.Reset()
		if err := en.Encode(o); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
		return err
	})
	if err != nil {
		return fmt.Errorf("export: stix: %w", err)
	}
	bw.WriteString("\n]\n}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: stix: %w", err)
	}
	return nil
}
