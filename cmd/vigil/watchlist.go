package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/store"
)

// runWatchlist imports and lists sanctions and watch lists.
func runWatchlist(ctx context.Context, e *env, args []string) error {
	sub, fs, cfg, err := subcommand(e, "watchlist", args, []string{"import", "demo", "list", "versions"})
	if err != nil {
		return err
	}
	var list, format string
	var all bool
	switch sub {
	case "import":
		fs.StringVar(&list, "list", "", "name of the list to create or update (required)")
		fs.StringVar(&format, "format", "", "one of "+strings.Join(screen.Formats, ", ")+" (required)")
		fs.BoolVar(&all, "all", false, "print every added, changed and removed entry, not the first 20 of each")
	case "versions":
		fs.StringVar(&list, "list", "", "name of the list (required)")
	case "demo", "list":
	default:
		return fmt.Errorf("watchlist: unknown subcommand %q (want import, demo, list or versions): %w", sub, errUsage)
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	path := fs.Arg(0)
	switch {
	case sub == "import" && (list == "" || format == "" || path == "" || fs.NArg() > 1):
		return fmt.Errorf("watchlist import: want --list, --format and one PATH: %w", errUsage)
	case sub == "versions" && list == "":
		return fmt.Errorf("watchlist versions: want --list: %w", errUsage)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := screen.New(db, e.log)
	switch sub {
	case "import", "demo":
		var d screen.Diff
		if sub == "demo" {
			d, err = svc.LoadDemo(ctx)
		} else {
			d, err = svc.Import(ctx, list, format, path)
		}
		if err != nil {
			return fmt.Errorf("watchlist %s: %w", sub, err)
		}
		printDiff(e, d, all)
		return nil
	case "list":
		ls, err := svc.Lists(ctx)
		if err != nil {
			return err
		}
		for _, l := range ls {
			fmt.Fprintf(e.stdout, "%s\tversion %d\t%d entries\t%d names\t%s\t%s\t%s\n", l.Name, l.Version, l.Entries, l.Names,
				l.Format, l.UpdatedAt.Format("2006-01-02 15:04"), l.Source)
		}
		return nil
	default: // versions
		vs, err := svc.Versions(ctx, list)
		if err != nil {
			return err
		}
		for _, v := range vs {
			fmt.Fprintf(e.stdout, "%s\tversion %d\t%s\t%d entries\t+%d ~%d -%d\t%s\t%s\n", v.List, v.Version,
				store.Time(v.ImportedAt).Format("2006-01-02 15:04"), v.Entries, v.Added, v.Changed, v.Removed, v.Format, v.Source)
		}
		return nil
	}
}

// printDiff writes what an import changed.
func printDiff(e *env, d screen.Diff, all bool) {
	state := "new version"
	if len(d.Added)+len(d.Changed)+len(d.Removed) == 0 {
		state = "unchanged"
	}
	fmt.Fprintf(e.stdout, "%s: %s %d, %d entries: %d added, %d changed, %d removed, %d unchanged; %d reports re-screened, %d hits pending review\n",
		d.List, state, d.Version, d.Entries, len(d.Added), len(d.Changed), len(d.Removed), d.Unchanged, d.Rescreened, d.NewHits)
	for _, g := range []struct {
		mark string
		ids  []string
	}{{"+", d.Added}, {"~", d.Changed}, {"-", d.Removed}} {
		for i, id := range g.ids {
			if i == 20 && !all {
				fmt.Fprintf(e.stdout, "%s … and %d more (--all lists them)\n", g.mark, len(g.ids)-20)
				break
			}
			fmt.Fprintf(e.stdout, "%s %s\n", g.mark, id)
		}
	}
}
