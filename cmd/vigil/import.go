package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

// runImport imports a spreadsheet (CSV, XLSX) or KoboToolbox submissions
// (JSON) as reports with a mapping file, writes a starting mapping
// (--suggest), or creates a Kobo REST Service hook (kobo-hook).
func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "kobo-hook" {
		return runKoboHook(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "attachments" {
		return runPendingAttachments(ctx, e, args[1:])
	}
	fs := newFlags(e, "import")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	format := fs.String("format", "", "csv, xlsx or kobo (default: from the file's extension; .json is kobo); vigil for a directory written by vigil export --format csv (no mapping); with --suggest also xlsform (a Kobo/ODK form's XLSForm)")
	mapPath := fs.String("mapping", "", "the mapping file (YAML; vigil import --suggest FILE writes a start)")
	org := fs.String("org", "", "organisation id or name the reports go to (default: the only one)")
	dry := fs.Bool("dry-run", false, "check every row and report every problem; change nothing")
	suggest := fs.Bool("suggest", false, "write a starting mapping for FILE's columns to standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import: want one FILE: %w", errUsage)
	}
	path := fs.Arg(0)
	if fi, err := os.Stat(path); *format == ingest.FormatVigil || *format == "" && err == nil && fi.IsDir() {
		return importVigil(ctx, e, cfg, path, *org, *dry)
	}
	if *format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv", ".txt", ".tsv":
			*format = "csv"
		case ".xlsx":
			*format = "xlsx"
		case ".json":
			*format = "kobo"
		default:
			return fmt.Errorf("import: say --format (csv, xlsx or kobo) for %s: %w", path, errUsage)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if *suggest {
		var m *ingest.Mapping
		var notes []string
		if *format == "xlsform" {
			if m, notes, err = ingest.SuggestXLSForm(bytes.NewReader(data)); err != nil {
				return importError(path, err)
			}
		} else {
			t, err := ingest.Read(*format, bytes.NewReader(data), nil)
			if err != nil {
				return importError(path, err)
			}
			m, notes = ingest.Suggest(*format, t)
		}
		out, err := m.Marshal()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "# Mapping for %s, written by vigil import --suggest: check every line.\n", filepath.Base(path))
		for _, n := range notes {
			fmt.Fprintf(e.stdout, "# %s\n", n)
		}
		_, err = e.stdout.Write(out)
		return err
	}
	if *mapPath == "" {
		return fmt.Errorf("import: --mapping is required (vigil import --suggest %s writes a start): %w", path, errUsage)
	}
	mb, err := os.ReadFile(*mapPath)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	m, err := ingest.ParseMapping(mb)
	if err != nil {
		return fmt.Errorf("import: %s: %w", *mapPath, err)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	read := startProgress(e, "import: check "+filepath.Base(path), 0)
	read.items = true
	plan, err := ingest.PrepareWith(*format, path, bytes.NewReader(data), m, time.Now(), func(n int) { read.Set(int64(n)) })
	read.Done()
	if err != nil {
		return importError(path, err)
	}
	db, orgID, err := openForOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer db.Close()
	// A dry run only reads; an import writes through intake, which (like
	// serve) holds the SQLite database for itself.
	svc := ingest.New(db, nil, e.log)
	if !*dry {
		srv, err := openServer(ctx, e, cfg, db)
		if err != nil {
			return err
		}
		defer srv.Close()
		svc = ingest.New(db, srv.Intake, e.log)
	}
	svc.HTTP = ingest.PublicClient(30 * time.Second)
	svc.KoboToken = e.getenv("VIGIL_KOBO_TOKEN")
	a := auth.Actor{UserID: staff.System.UserID, OrgID: orgID, Role: auth.Intake}
	p := startProgress(e, "import: "+filepath.Base(path), int64(len(plan.Rows)))
	p.items = true
	res, err := svc.Import(ctx, a, plan, ingest.Options{DryRun: *dry, Progress: func(done, _ int) { p.Set(int64(done)) }})
	p.Done()
	if err != nil {
		return err
	}
	verb := "imported"
	if *dry {
		verb = "dry run, nothing written: would import"
	}
	fmt.Fprintf(e.stdout, "%s: %s %d reports (%d rows; %d imported before, %d skipped by the mapping, %d duplicate rows)",
		path, verb, res.Created, res.Rows, res.Already, res.Skipped, res.Duplicates)
	if res.Attached+res.Pending > 0 {
		fmt.Fprintf(e.stdout, "; attachments: %d fetched, %d pending", res.Attached, res.Pending)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// importError prints a file's problems, one per line (FILE:LINE: column
// X: …), and returns an error saying how many.
func importError(path string, err error) error {
	var ps *ingest.Problems
	if errors.As(err, &ps) {
		ps.File = path
		return fmt.Errorf("import: nothing imported: %d problem(s):\n%w", len(ps.List), ps)
	}
	return fmt.Errorf("import: %w", err)
}

// openForOrg checks the configuration, opens the existing database and
// finds the organisation named (see pickOrg).
func openForOrg(ctx context.Context, cfg *config.Config, org string) (*store.DB, string, error) {
	if err := cfg.Validate(); err != nil {
		return nil, "", err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, "", err
	}
	orgID, err := pickOrg(ctx, staff.New(db, cfg.SessionTTL), org)
	if err != nil {
		db.Close()
		return nil, "", err
	}
	return db, orgID, nil
}

// pickOrg finds the organisation named (id or name), or the only one.
func pickOrg(ctx context.Context, st *staff.Service, org string) (string, error) {
	if org != "" {
		o, err := st.FindOrg(ctx, org)
		if err != nil {
			return "", fmt.Errorf("import: --org: %w", err)
		}
		return o.ID, nil
	}
	os, err := st.ListOrgs(ctx, staff.System)
	if err != nil {
		return "", err
	}
	if len(os) != 1 {
		return "", fmt.Errorf("import: %d organisations: say which with --org: %w", len(os), errUsage)
	}
	return os[0].ID, nil
}

// runKoboHook creates a KoboToolbox REST Service hook and prints the URL
// path to give Kobo.
func runKoboHook(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import kobo-hook")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	org := fs.String("org", "", "organisation id or name the submissions go to (required)")
	mapPath := fs.String("mapping", "", "the mapping file keyed by the form's question names (required)")
	name := fs.String("name", "kobo", "what the hook is for")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *org == "" || *mapPath == "" || fs.NArg() > 0 {
		return fmt.Errorf("import kobo-hook: want --org and --mapping: %w", errUsage)
	}
	mb, err := os.ReadFile(*mapPath)
	if err != nil {
		return fmt.Errorf("import kobo-hook: %w", err)
	}
	db, orgID, err := openForOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := ingest.New(db, nil, e.log)
	token, err := svc.CreateKoboHook(ctx, staff.System, orgID, *name, mb)
	if err != nil {
		return fmt.Errorf("import kobo-hook: %w", err)
	}
	fmt.Fprintf(e.stdout, "%s/api/v1/intake/kobo/%s\n", strings.TrimSuffix(cfg.PublicURL, "/"), token)
	return nil
}

// runPendingAttachments fetches again the Kobo attachments left pending.
func runPendingAttachments(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import attachments")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	db, err := parseAndOpen(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	defer srv.Close()
	svc := ingest.New(db, srv.Intake, e.log)
	svc.KoboToken = e.getenv("VIGIL_KOBO_TOKEN")
	attached, pending, err := svc.FetchPending(ctx)
	if err != nil {
		return fmt.Errorf("import attachments: %w", err)
	}
	fmt.Fprintf(e.stdout, "attachments: %d fetched, %d still pending\n", attached, pending)
	return nil
}

// importVigil imports a directory written by vigil export --format csv:
// its reports, then its cases.
func importVigil(ctx context.Context, e *env, cfg *config.Config, dir, org string, dry bool) error {
	x, err := ingest.PrepareVigil(dir, time.Now())
	if err != nil {
		return importError(dir, err)
	}
	db, orgID, err := openForOrg(ctx, cfg, org)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := ingest.New(db, nil, e.log)
	var cw *casework.Service
	if !dry {
		srv, err := openServer(ctx, e, cfg, db)
		if err != nil {
			return err
		}
		defer srv.Close()
		svc, cw = ingest.New(db, srv.Intake, e.log), srv.Casework
	}
	svc.HTTP = nil
	// A coordinator's rights: reports, then the cases that hold them.
	a := auth.Actor{UserID: staff.System.UserID, OrgID: orgID, Role: auth.Coordinator}
	p := startProgress(e, "import: "+filepath.Base(dir), int64(len(x.Plan.Rows)))
	p.items = true
	res, err := svc.ImportVigil(ctx, a, x, cw, ingest.Options{DryRun: dry, Progress: func(done, _ int) { p.Set(int64(done)) }})
	p.Done()
	if err != nil {
		return err
	}
	verb := "imported"
	if dry {
		verb = "dry run, nothing written: would import"
	}
	fmt.Fprintf(e.stdout, "%s: %s %d reports (%d in the export; %d imported before) and %d of %d cases (%d already there)",
		dir, verb, res.Created, res.Rows, res.Already, res.Cases, len(x.Cases), res.CasesAlready)
	switch {
	case x.Statements == 0 && x.Attachments == 0:
		fmt.Fprintln(e.stdout, "; the export carries no testimony (it was written without --reveal): the reports' narratives say where they came from")
	case dry:
		fmt.Fprintf(e.stdout, "; the export carries %d statement versions and %d attachments\n", x.Statements, x.Attachments)
	default:
		fmt.Fprintf(e.stdout, "; %d of %d statement versions and %d of %d attachments (the others imported before)\n", res.Statements, x.Statements, res.Attachments, x.Attachments)
	}
	return nil
}
