package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/web"
)

// runExport writes an organisation's data in a partner's format (package
// export): stix, ftm, ctdc, csv (a directory of five files) or xlsx. The
// holder of the data directory acts as a coordinator of the organisation
// named by --org (its id or name; the only one when there is one), as
// "cli" in the audit trail.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var format, orgName, since, out, tlp, lang, reason string
	var k int
	var reveal bool
	fs.StringVar(&format, "format", "", "stix, ftm, ctdc, csv or xlsx (required)")
	fs.StringVar(&orgName, "org", "", "the organisation whose data to export: id or name (default: the only one)")
	fs.StringVar(&since, "since", "", "only reports received from this date (YYYY-MM-DD or RFC 3339)")
	fs.StringVar(&out, "out", "", "file to write (default standard output); for csv a directory (required)")
	fs.StringVar(&tlp, "tlp", "amber", "stix: TLP marking, one of "+strings.Join(export.TLPs(), ", "))
	fs.IntVar(&k, "k", export.DefaultK, "ctdc: every combination of quasi-identifiers occurs at least k times")
	fs.StringVar(&lang, "lang", "en", "csv, xlsx: language of the header row (en, zh, km, th, vi)")
	fs.BoolVar(&reveal, "reveal", false, "csv, xlsx: include the victims' sealed fields and the testimony (statements; csv also attachments) (needs --reason; audited)")
	fs.StringVar(&reason, "reason", "", "why the export needs the sealed fields (with --reveal)")
	if err := parseConfig(fs, cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	if !slices.Contains(export.Formats(), format) {
		return fmt.Errorf("export: --format must be one of %s: %w", strings.Join(export.Formats(), ", "), errUsage)
	}
	if format == export.CSV && out == "" {
		return fmt.Errorf("export: --out DIR is required for csv (it writes %s.csv): %w", strings.Join(export.Tables(), ".csv, "), errUsage)
	}
	req := export.Request{Format: format, TLP: tlp, K: k, Lang: lang, Reveal: reveal, Reason: reason}
	if format != export.STIX && tlp == "amber" {
		req.TLP = ""
	}
	if format != export.CTDC && k == export.DefaultK {
		req.K = 0
	}
	if since != "" {
		if req.Since, err = export.ParseSince(since); err != nil {
			return fmt.Errorf("export: --since %q: want YYYY-MM-DD or an RFC 3339 time: %w", since, errUsage)
		}
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	org, err := exportOrg(ctx, db, orgName)
	if err != nil {
		return err
	}
	cats, err := web.Catalogues()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	svc := export.New(db, srv.Keys, srv.Intake, cats)
	a := auth.Actor{UserID: "cli", OrgID: org.ID, Role: auth.Coordinator}
	x, err := svc.Start(ctx, a, req)
	if err != nil {
		return fmt.Errorf("export: %w", flagError(err))
	}
	switch {
	case format == export.CSV:
		if err := x.WriteDir(ctx, out); err != nil {
			return err
		}
	case out == "":
		if err := x.Write(ctx, e.stdout); err != nil {
			return err
		}
	default:
		if err := export.WriteFile(out, func(w io.Writer) error { return x.Write(ctx, w) }); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stderr, "exported %s of %s: %d rows", format, org.Name, x.Rows)
	if format == export.CTDC {
		r, c := x.Suppressed()
		fmt.Fprintf(e.stderr, " (k = %d; suppressed %d rows and %d cells", req.K, r, c)
		if g := x.Generalised(); len(g) > 0 {
			fmt.Fprintf(e.stderr, "; generalised: %s", strings.Join(g, ", "))
		}
		fmt.Fprint(e.stderr, ")")
	}
	fmt.Fprintln(e.stderr)
	switch {
	case format != export.CSV && format != export.XLSX:
	case x.Testimony() && format == export.CSV:
		fmt.Fprintln(e.stderr, "with the testimony: statements.csv (every version) and attachments.csv with the files in attachments/")
	case x.Testimony():
		fmt.Fprintln(e.stderr, "with the testimony's statements (sheet statements); attachments only in a csv export")
	default:
		fmt.Fprintln(e.stderr, "the testimony (statements and attachments) was left out: it needs --reveal --reason")
	}
	return nil
}

// exportOrg finds the organisation named (id or name), or the only one.
func exportOrg(ctx context.Context, db *store.DB, name string) (*store.Organisation, error) {
	orgs, err := db.Read().ListOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var names []string
	for _, o := range orgs {
		if name == "" && len(orgs) == 1 || o.ID == name || strings.EqualFold(o.Name, name) {
			return o, nil
		}
		names = append(names, o.Name)
	}
	if name == "" {
		return nil, fmt.Errorf("export: --org is required: there are %d organisations (%s): %w", len(orgs), strings.Join(names, "; "), errUsage)
	}
	return nil, fmt.Errorf("export: --org %q: no such organisation (there are: %s): %w", name, strings.Join(names, "; "), errUsage)
}

// flagError names the flag of a bad request parameter as the command line
// spells it.
func flagError(err error) error {
	var fe *invalid.Error
	if errors.As(err, &fe) && fe.Field != "" {
		return fmt.Errorf("--%s: %s: %w", fe.Field, fe.Message, errUsage)
	}
	return err
}
