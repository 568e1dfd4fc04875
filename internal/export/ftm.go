package export

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/store"
)

// Entity is a FollowTheMoney entity as Aleph and OpenSanctions read it:
// every property value is a list of strings.
type Entity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// ftmID is a stable entity id: the same person, company, account or place
// gets the same id in every report and every export, so the fragments
// written per report merge (FtM tools aggregate entities by id).
func ftmID(kind, key string) string {
	h := sha1.Sum([]byte(kind + ":" + key))
	return "vigil-" + kind + "-" + hex.EncodeToString(h[:])[:24]
}

// shortHash is a short stable hash of s, for the ids of a report's links.
func shortHash(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:8])
}

// walletSymbols are the currency short codes of the wallet kinds.
var walletSymbols = map[string]string{"btc": "BTC", "eth": "ETH", "tron": "TRX"}

// writeFtM writes the export's reports as FollowTheMoney entities, one
// JSON object a line, report by report (a report's entities are written
// again for every report that names them; FtM tools merge them by id):
//
//   - the report as a Document (title, date, publisher; never its text);
//   - each subject as a Person, Company or LegalEntity (name), with a
//     Note for each screening match not dismissed;
//   - each identifier that is not a victim's or reporter's contact (never a
//     passport number): messaging accounts, phones and e-mail addresses as
//     UserAccount (username, service, number or email), wallets as
//     CryptoWallet (publicKey, currencySymbol);
//   - each place the gazetteer knows as an Address (full, country,
//     latitude, longitude);
//   - a Documentation entity linking the report's Document to each of them
//     (role: the subject's role or the identifier's); and an UnknownLink
//     between two subjects named in the same report.
//
// Victims and reporters appear in no form.
func (e *Export) writeFtM(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	emit := func(en *Entity) error { return enc.Encode(en) }
	q := e.s.db.Read()
	g := gazetteer.Default()
	err := e.walk(ctx, func(page []*store.Report) error {
		links, idents, err := pageLinks(ctx, q, page)
		if err != nil {
			return err
		}
		ids := make([]string, len(page))
		for i, r := range page {
			ids[i] = r.ID
		}
		hits, err := q.ScreeningHitsByReport(ctx, ids)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := e.ftmReport(r, links[r.ID], idents, hits, g, emit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: ftm: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: ftm: %w", err)
	}
	return nil
}

func (e *Export) ftmReport(r *store.Report, l *store.ReportLink, idents map[string]*store.Identifier, hits []*store.ScreeningHit, g *gazetteer.Gazetteer, emit func(*Entity) error) error {
	day := time.UnixMicro(r.ReceivedAt).UTC().Format(time.DateOnly)
	doc := &Entity{ID: "vigil-report-" + r.ID, Schema: "Document", Properties: map[string][]string{
		"title": {"Report to " + e.org.Name + " of " + day}, "date": {day}, "publisher": {e.org.Name},
	}}
	if err := emit(doc); err != nil {
		return err
	}
	link := func(entity, role string) error {
		p := map[string][]string{"document": {doc.ID}, "entity": {entity}}
		if role != "" {
			p["role"] = []string{role}
		}
		return emit(&Entity{ID: "vigil-doc-" + r.ID + "-" + shortHash(entity), Schema: "Documentation", Properties: p})
	}
	var subjects []string
	for _, s := range r.Subjects {
		name := strings.TrimSpace(s.Name)
		if name == "" {
			continue
		}
		schema := map[string]string{"person": "Person", "company": "Company"}[s.Type]
		if schema == "" {
			schema = "LegalEntity"
		}
		id := ftmID(strings.ToLower(schema), strings.ToLower(name))
		subjects = append(subjects, id)
		if err := emit(&Entity{ID: id, Schema: schema, Properties: map[string][]string{"name": {name}}}); err != nil {
			return err
		}
		if err := link(id, s.Role); err != nil {
			return err
		}
		for _, h := range hits {
			if h.ReportID != r.ID || h.Subject != s.Name || h.Status == "dismissed" {
				continue
			}
			desc := fmt.Sprintf("Screening (%s): %s matches %s entry %q (%s), score %.2f.", h.Status, name, h.List, h.EntryName, h.EntryID, float64(h.Score)/10000)
			if err := emit(&Entity{ID: ftmID("note", h.ID), Schema: "Note", Properties: map[string][]string{"entity": {id}, "description": {desc}}}); err != nil {
				return err
			}
		}
	}
	for i, a := range subjects {
		for _, b := range subjects[i+1:] {
			if a == b {
				continue
			}
			if err := emit(&Entity{ID: "vigil-link-" + r.ID + "-" + shortHash(a+":"+b), Schema: "UnknownLink", Properties: map[string][]string{
				"subject": {a}, "object": {b}, "role": {"named in the same report"}, "date": {day}}}); err != nil {
				return err
			}
		}
	}
	if l != nil {
		for _, ref := range l.Identifiers {
			i := idents[ref.IdentifierID]
			if i == nil || i.VictimSide() {
				continue
			}
			en, err := e.ftmIdentifier(i)
			if err != nil {
				return err
			}
			if en == nil {
				continue
			}
			if err := emit(en); err != nil {
				return err
			}
			if err := link(en.ID, ref.Role); err != nil {
				return err
			}
		}
	}
	var places []string
	for _, p := range r.Places {
		pl, ok := g.Lookup(p.PlaceID)
		if p.PlaceID == "" || !ok || slices.Contains(places, pl.ID) {
			continue
		}
		places = append(places, pl.ID)
		id := ftmID("address", pl.ID)
		if err := emit(&Entity{ID: id, Schema: "Address", Properties: map[string][]string{
			"full": {pl.Name}, "country": {strings.ToLower(pl.Country)},
			"latitude": {fmt.Sprint(pl.Lat)}, "longitude": {fmt.Sprint(pl.Lon)}}}); err != nil {
			return err
		}
		if err := link(id, "place named"); err != nil {
			return err
		}
	}
	return nil
}

// ftmIdentifier is the entity of an identifier, nil for a kind FtM gets
// none of (URLs, domains, bank accounts, IBANs, passports, companies and
// places: a company is written from the report's subjects).
func (e *Export) ftmIdentifier(i *store.Identifier) (*Entity, error) {
	var schema string
	switch {
	case i.Kind == "phone", i.Kind == "email", slices.Contains(messaging, i.Kind):
		schema = "UserAccount"
	case slices.Contains(wallets, i.Kind):
		schema = "CryptoWallet"
	default:
		return nil, nil
	}
	v, err := e.s.keys.OpenIdentifier(i.ID, i.Sealed)
	if err != nil {
		return nil, fmt.Errorf("identifier %s: %w", i.ID, err)
	}
	id := ftmID(i.Kind, v)
	if schema == "CryptoWallet" {
		return &Entity{ID: id, Schema: schema, Properties: map[string][]string{"publicKey": {v}, "currencySymbol": {walletSymbols[i.Kind]}}}, nil
	}
	p := map[string][]string{"username": {v}, "service": {i.Kind}}
	switch i.Kind {
	case "phone", "whatsapp":
		p["number"] = []string{v}
	case "email":
		p["email"] = []string{v}
	}
	return &Entity{ID: id, Schema: schema, Properties: p}, nil
}
