package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// doc is how a command is called: a leaf's arguments, or a group's
// subcommands. Commands without one still run; their help is the summary
// and their flags.
type doc struct {
	// args follow "vigil NAME" for a command without subcommands.
	args string
	// subs are a group's subcommands, in the order they are listed.
	subs []subDoc
	// more is printed after the usage lines.
	more string
}

// subDoc is one subcommand of a group: its arguments (required ones bare,
// optional ones in brackets) and what it does.
type subDoc struct {
	name, args, summary string
}

// docs describes every command's arguments, by command name.
func docs() map[string]doc {
	return map[string]doc{
		"serve":   {args: "[--data DIR] [--addr HOST:PORT] [--migrate] [--demo] [flags]", more: "Creates the data directory, the database and the keys on the first run."},
		"migrate": {args: "[--data DIR]", more: "Creates the database if there is none; refused while a server runs on it."},
		"demo":    {args: "[--data DIR] [--reports N] [--seed N]", more: "Loads demo data into an empty (or new) database."},
		"setup":   {args: "[--data DIR] --org NAME --admin-email EMAIL --admin-name NAME [--kind KIND] [--country CC] [--receives-public] [--log-origin NAME]", more: "Only on an installation with no account. --log-origin names the testimony ledger while it holds no entry; the name cannot change later. The password is asked on the terminal (no echo) or read from the first line of standard input.\nThe admin signs in and sets up an authenticator app first."},
		"version": {args: ""},
		"export":  {args: "[--data DIR] --format stix|ftm|ctdc|csv|xlsx [--org ORG] [--since DATE] [--out FILE|DIR] [--tlp LEVEL] [--k N] [--lang L] [--reveal --reason TEXT]", more: "Writes one organisation's data for partners; audited (export.data). csv writes reports.csv, victims.csv, cases.csv, referrals.csv and identifiers.csv into --out DIR. Victims' sealed fields only with --reveal and a --reason."},
		"verify":  {args: "[--vkey KEY] [--content FILE --salt HEX] RECEIPT.json", more: "RECEIPT.json may be - for standard input. Needs no database."},
		"screen":  {args: "[--data DIR] [--list NAMES] [--csv] [flags] < NAMES.txt", more: "Names come on standard input, one a line; one JSON line per name goes to standard output."},
		"backup":  {args: "[--data DIR] --out FILE", more: "Writes a consistent snapshot (database, attachments, manifest.json) while the server runs.\nOn PostgreSQL (VIGIL_DATABASE) the database part is pg_dump's, which must be on the PATH.\nFILE ending in .gz or .tgz is compressed. The keys are NOT in it: keep master.key and log.key apart.\nAttachments kept in a bucket (VIGIL_ATTACHMENTS_S3_*) are NOT in it either: the manifest names the bucket; back it up with the storage service's tools."},
		"import":  {args: "[--data DIR] [--format csv|xlsx|kobo] --mapping MAP [--org ORG] [--dry-run] FILE | --suggest FILE | kobo-hook --org ORG --mapping MAP [--name NAME] | attachments", more: "Imports a spreadsheet (CSV, XLSX) or KoboToolbox submissions (JSON) as reports, read with a mapping file (YAML; --suggest writes a start from the file's columns). Every problem is reported as FILE:LINE: column X: …, and then nothing is imported; rows imported before are not imported again. kobo-hook prints the address of a KoboToolbox REST Service for the organisation; attachments fetches again the Kobo attachments left pending. VIGIL_KOBO_TOKEN, if set, is sent to fetch Kobo attachments."},
		"restore": {args: "--data NEWDIR FILE", more: "NEWDIR must be empty or absent; on PostgreSQL, VIGIL_DATABASE must be a new, empty database (pg_restore on the PATH for a PostgreSQL backup). A SQLite backup restored with VIGIL_DATABASE set is moved into PostgreSQL: every row copied in one transaction, each table's count checked. Copy master.key and log.key into NEWDIR afterwards (restore says where).\nWith VIGIL_ATTACHMENTS_S3_* set, the backup's attachments (if it has them) are copied into that bucket; a backup made from a bucket is restored only with one set."},
		"user": {subs: []subDoc{
			{"add", "--org ORG --email EMAIL --name NAME --role ROLE", "add an account; the password is asked on the terminal (no echo) or read from the first line of standard input"},
			{"list", "[--json]", "list accounts: id, e-mail, role, organisation, state"},
			{"disable", "EMAIL", "disable an account (EMAIL or user id); its sessions and tokens stop working"},
			{"enable", "EMAIL", "enable a disabled account (EMAIL or user id)"},
			{"totp", "EMAIL", "set up an authenticator app for an account; prints the secret and its otpauth URL"},
			{"unlock", "EMAIL", "end the lockout of an account after failed sign-ins (EMAIL or user id)"},
			{"reset-password", "EMAIL", "print a one-time link (24 hours) for the user to set a new password (EMAIL or user id)"},
		}},
		"org": {subs: []subDoc{
			{"add", "--name NAME [--kind KIND] [--country CC] [--receives-public]", "add an organisation; prints its id"},
			{"list", "[--json]", "list organisations"},
		}},
		"bot": {subs: []subDoc{
			{"telegram", "", "run the Telegram bot without the HTTP server (needs VIGIL_TELEGRAM_TOKEN; on PostgreSQL one bot polls at a time across servers)"},
		}},
		"token": {subs: []subDoc{
			{"create", "--user EMAIL [--name NAME] [--ttl DURATION]", "create an API token for a user; prints the token once"},
			{"list", "[--json]", "list tokens (never the tokens themselves)"},
			{"revoke", "TOKEN-ID", "revoke a token by the id token list shows"},
		}},
		"log": {subs: []subDoc{
			{"audit", "[--vkey KEY] [--checkpoint FILE]...", "recompute every record's commitment and check the tree against its signed checkpoint"},
			{"checkpoint", "", "print the latest signed checkpoint"},
			{"vkey", "", "print the log's verifier key, for publishing"},
		}},
		"keys": {subs: []subDoc{
			{"rotate-master", "[--settle DURATION]", "move to a new master key: rewrap every data key (sealed data is not rewritten), while servers run; run again to resume"},
			{"rotate-log", "[--finish | --cancel]", "change the log's signing key: announce a next key that co-signs every checkpoint; --finish makes it the key and retires the old one"},
			{"check", "", "open every report's data key with the master key; exit 1 if any does not open"},
		}},
		"links": {subs: []subDoc{
			{"rebuild", "", "rebuild the identifier link index from the reports"},
		}},
		"search": {subs: []subDoc{
			{"rebuild", "", "rebuild the search index (keyed term hashes) from every report; run once after upgrading"},
		}},
		"watchlist": {subs: []subDoc{
			{"import", "--list NAME --format FORMAT PATH", "create or update a watch list from a file"},
			{"demo", "", "load the demo watch list"},
			{"list", "", "list the watch lists"},
			{"versions", "--list NAME", "list the versions of a watch list"},
		}},
		"lure": {subs: []subDoc{
			{"score", "[--lang LANG] [--model FILE] [AD.txt]", "score one job ad (the file, or standard input); prints JSON"},
			{"train", "--in ADS.csv --out MODEL", "train a lure-check model on labelled ads (and Vigil's own corpus)"},
			{"eval", "--in ADS.csv [--split test] [--compare] [--model FILE] [--json]", "evaluate a model on labelled ads (--compare: beside the bag-of-words baselines)"},
			{"cv", "--in ADS.csv [--folds 5]", "cross-validate the training recipe by campaign, beside the baselines"},
		}},
		"bench": {subs: []subDoc{
			{"intake", "[--url URL] [--clients N] [--duration D] [--rate R] [--metrics-token T]", "post reports to a running server and measure (--rate: sustained; --metrics-token: its follow-up backlog too)"},
			{"check", "[--url URL] [--clients N] [--duration D]", "run public identifier checks (GET /api/v1/check) against a running server and measure"},
			{"range", "[--url URL] [--clients N] [--duration D]", "ask random buckets of the published check range of a running server and measure"},
			{"network", "[--data DIR] [flags]", "measure network queries of the link index"},
			{"link", "[--data DIR] [flags]", "measure link lookups"},
			{"publish", "[--data DIR] [--reports N]", "measure the trust worker and the published check range: catch up, full build, N new reports weighed and published"},
			{"upload", "[--url URL] [flags]", "upload attachments to a running server and measure"},
			{"ceiling", "[--data DIR] [--batch N] [--row-bytes N] [--duration D]", "measure the database's raw insert ceiling"},
			{"slowloris", "[--url URL] [flags]", "hold slow connections against a running server"},
			{"search", "[--data DIR] [--load N] [--rounds N]", "measure search latency in process (--load: first add N generated reports)"},
		}},
	}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// usage writes the top-level help: the commands, the data directory and
// the environment.
func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprint(w, `vigil runs Vigil: intake of reports on scam compounds and labour trafficking,
casework, the testimony ledger, link analysis, screening and the lure check.

usage: vigil COMMAND [SUBCOMMAND] [flags] [arguments]

commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		fmt.Fprintf(tw, "  %s\t%s\n", n, cmds[n].summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Run "vigil help COMMAND" or "vigil COMMAND --help" for its subcommands, arguments and flags.

data directory:
  --data DIR   every command that uses the database takes it (default ./vigil-data,
               relative to the directory vigil runs in; or set VIGIL_DATA). It holds
               vigil.db (the SQLite database), master.key (the key every report is sealed
               under), log.key (the key that signs the ledger) and attachments/ (unless
               they are kept in a bucket: VIGIL_ATTACHMENTS_S3_*).
               Only serve, migrate and demo create a database; other commands refuse
               a directory without one. Back up master.key and log.key apart from the data.

environment (flags override it):
`)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range envDocs() {
		fmt.Fprintf(tw, "  %s\t%s\n", v[0], v[1])
	}
	tw.Flush()
	fmt.Fprint(w, `
Results go to standard output, logs and progress to standard error. Exit status:
0 success, 1 failure, 2 the command was called wrongly.
`)
}

// envDocs names every VIGIL_* variable internal/config reads, with what it
// sets (a test checks none is missing).
func envDocs() [][2]string {
	return [][2]string{
		{"VIGIL_DATA", "data directory (--data; default ./vigil-data)"},
		{"VIGIL_DATABASE", "postgres://USER@HOST/DB to use PostgreSQL, or sqlite:PATH (default: DIR/vigil.db)"},
		{"VIGIL_DATABASE_REPLICA", "postgres://… of a streaming replica of VIGIL_DATABASE: the public check and the published range read from it"},
		{"VIGIL_MASTER_KEY_FILE", "master key file (default DIR/master.key)"},
		{"VIGIL_LOG_KEY_FILE", "ledger signing key file (default DIR/log.key)"},
		{"VIGIL_LOG_ORIGIN", "the ledger's name in its checkpoints (default vigil.example/log)"},
		{"VIGIL_ADDR", "serve's listen address (--addr; default 127.0.0.1:8080)"},
		{"VIGIL_SECURE_COOKIES", "mark cookies Secure (default true; false only for plain-HTTP development)"},
		{"VIGIL_TLS_CERT", "PEM certificate chain: serve HTTPS (with VIGIL_TLS_KEY; read again when renewed)"},
		{"VIGIL_TLS_KEY", "PEM private key of VIGIL_TLS_CERT"},
		{"VIGIL_TRUSTED_PROXIES", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed"},
		{"VIGIL_LOG_RATE", "requests a second per client on the public log /log/ (default 20)"},
		{"VIGIL_METRICS_TOKEN", "bearer token that reads /metrics (at least 32 characters; unset: no /metrics)"},
		{"VIGIL_PPROF_ADDR", "loopback address (127.0.0.1:6060) serving Go's profiler, /debug/pprof/, for finding where the time goes (unset: not served)"},
		{"VIGIL_METRICS_TOKEN_FILE", "file holding that token"},
		{"VIGIL_DB_MAX_CONNS", "most database connections per process (--db-max-conns)"},
		{"VIGIL_HTTP_MAX_CONNS", "most open HTTP connections (--http-max-conns)"},
		{"VIGIL_HTTP_MAX_CONNS_PER_CLIENT", "most open HTTP connections per client address (default 64)"},
		{"VIGIL_ATTACH_CLIENT_HOURLY", "attachment bytes one client may send an hour (default 30MiB)"},
		{"VIGIL_ATTACH_HOURLY", "attachment bytes the server takes an hour (default 500MiB)"},
		{"VIGIL_MIN_FREE_DISK", "free space below which attachments are refused (default 1GiB; not applied to a bucket)"},
		{"VIGIL_ATTACHMENTS_S3_ENDPOINT", "host[:port] of an S3-compatible service to keep attachments in, shared by several servers (with _BUCKET; unset: DIR/attachments)"},
		{"VIGIL_ATTACHMENTS_S3_BUCKET", "the bucket attachments are kept in (it must exist; serve checks it at start and /readyz after)"},
		{"VIGIL_ATTACHMENTS_S3_PREFIX", "put before each attachment's ID in its object key (e.g. vigil/), to share a bucket"},
		{"VIGIL_ATTACHMENTS_S3_REGION", "the bucket's region (unset: asked of the service)"},
		{"VIGIL_ATTACHMENTS_S3_ACCESS_KEY", "access key for the bucket (unset with the secret: AWS_ACCESS_KEY_ID)"},
		{"VIGIL_ATTACHMENTS_S3_SECRET_KEY", "secret key for the bucket (unset with the access key: AWS_SECRET_ACCESS_KEY)"},
		{"VIGIL_ATTACHMENTS_S3_SECRET_KEY_FILE", "file holding that secret key"},
		{"VIGIL_ATTACHMENTS_S3_INSECURE", "true speaks plain HTTP to the endpoint (a service on the same host or network); default HTTPS"},
		{"VIGIL_SMTP_URL", "mail server for notification e-mail: smtp://user:pass@host:587 (STARTTLS required unless ?starttls=off) or smtps://…; unset: no e-mail"},
		{"VIGIL_SMTP_URL_FILE", "file holding that URL (keeps the password out of the environment)"},
		{"VIGIL_SMTP_FROM", "sender address of notification e-mail (required with VIGIL_SMTP_URL)"},
		{"VIGIL_PUBLIC_URL", "address staff open Vigil at, e.g. https://vigil.example.org: e-mail links to it (required with VIGIL_SMTP_URL)"},
		{"VIGIL_TELEGRAM_TOKEN", "Telegram bot token from @BotFather; set, serve runs the bot (long polling; or run vigil bot telegram)"},
		{"VIGIL_TELEGRAM_TOKEN_FILE", "file holding that token"},
		{"VIGIL_TELEGRAM_API", "Bot API server (default https://api.telegram.org)"},
		{"VIGIL_LINE_CHANNEL_SECRET", "LINE channel secret (checks X-Line-Signature); with VIGIL_LINE_CHANNEL_TOKEN, serve takes reports at POST /line/webhook; _FILE reads it from a file"},
		{"VIGIL_LINE_CHANNEL_TOKEN", "LINE channel access token (reply and push); _FILE reads it from a file"},
		{"VIGIL_LINE_API", "LINE Messaging API (default https://api.line.me)"},
		{"VIGIL_LINE_DATA_API", "LINE content API for images and files (default https://api-data.line.me)"},
		{"VIGIL_WHATSAPP_TOKEN", "WhatsApp Cloud API access token; with the three below, serve takes reports at GET|POST /whatsapp/webhook; _FILE reads it from a file"},
		{"VIGIL_WHATSAPP_APP_SECRET", "Meta app secret (checks X-Hub-Signature-256); _FILE reads it from a file"},
		{"VIGIL_WHATSAPP_VERIFY_TOKEN", "the verify token given to Meta for the webhook handshake; _FILE reads it from a file"},
		{"VIGIL_WHATSAPP_PHONE_ID", "the business phone number's ID (digits)"},
		{"VIGIL_WHATSAPP_API", "Graph API with its version (default https://graph.facebook.com/v21.0)"},
		{"VIGIL_WEBHOOK_ALLOW_PRIVATE", "true lets webhook endpoints be loopback or private addresses (tests, a receiver on the same machine); default false"},
		{"VIGIL_KOBO_TOKEN", "KoboToolbox API token vigil import sends to fetch a private project's attachments"},
		{"VIGIL_CHAT_DRAFT_TTL", "how long an untouched report draft in a chat app is kept (default 168h)"},
	}
}

// groupUsage writes a group's subcommands.
func groupUsage(w io.Writer, name string, c command, d doc) {
	fmt.Fprintf(w, "usage: vigil %s SUBCOMMAND [flags]\n\n%s\n\nsubcommands:\n", name, c.summary)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range d.subs {
		fmt.Fprintf(tw, "  vigil %s %s\t%s\n", name, strings.TrimSpace(s.name+" "+s.args), s.summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun \"vigil %s SUBCOMMAND --help\" for its flags.\n", name)
}

// synopsis returns the usage line of a command ("user disable") from docs,
// or "" when there is none.
func synopsis(name string) (line, more string) {
	group, sub, _ := strings.Cut(name, " ")
	d, ok := docs()[group]
	if !ok {
		return "", ""
	}
	if sub == "" {
		return strings.TrimSpace("vigil " + group + " " + d.args), d.more
	}
	for _, s := range d.subs {
		if s.name == sub {
			return strings.TrimSpace("vigil " + name + " " + s.args), s.summary
		}
	}
	return "", ""
}

// flagOutput is a FlagSet's output: while parseFlags parses, what the flag
// package prints is held, then written to stdout when help was asked for
// and to stderr otherwise. Outside parsing it writes to stderr.
type flagOutput struct {
	stdout, stderr io.Writer
	parsing        bool
	buf            bytes.Buffer
}

// Write holds p while parsing and writes it to stderr otherwise.
func (o *flagOutput) Write(p []byte) (int, error) {
	if o.parsing {
		return o.buf.Write(p)
	}
	return o.stderr.Write(p)
}

// newFlags returns a FlagSet for a subcommand that reports errors instead of
// exiting. Its usage starts with the command's synopsis from docs; --help
// prints it to stdout, a flag error to stderr.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("vigil "+name, flag.ContinueOnError)
	fs.SetOutput(&flagOutput{stdout: e.stdout, stderr: e.stderr})
	fs.Usage = func() {
		w := fs.Output()
		line, more := synopsis(name)
		if line == "" {
			line = "vigil " + name + " [flags]"
		}
		fmt.Fprintf(w, "usage: %s\n", line)
		if more != "" {
			fmt.Fprintf(w, "\n%s\n", more)
		}
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args into fs and wraps a parse failure as a usage error.
// A help request returns flag.ErrHelp after printing the usage to stdout.
func parseFlags(fs *flag.FlagSet, args []string) error {
	o, _ := fs.Output().(*flagOutput)
	if o != nil {
		o.parsing = true
	}
	err := fs.Parse(args)
	if o != nil {
		o.parsing = false
		w := o.stderr
		if errors.Is(err, flag.ErrHelp) {
			w = o.stdout
		}
		w.Write(o.buf.Bytes())
		o.buf.Reset()
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %w: %w", fs.Name(), errUsage, err)
	}
	return nil
}

// runHelp answers "vigil help [COMMAND [SUBCOMMAND]]".
func runHelp(ctx context.Context, e *env, cmds map[string]command, args []string) error {
	if len(args) == 0 {
		usage(e.stdout, cmds)
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("help: unknown command %q (run vigil help for the list): %w", args[0], errUsage)
	}
	if d := docs()[args[0]]; len(d.subs) > 0 && len(args) == 1 {
		groupUsage(e.stdout, args[0], c, d)
		return nil
	}
	// A command's help is its own --help.
	if err := c.run(ctx, e, append(args[1:], "--help")); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

// flagsAfter explains arguments that look like flags after the first
// argument, where the flag package stops reading flags.
func flagsAfter(args []string) string {
	for _, a := range args[min(1, len(args)):] {
		if strings.HasPrefix(a, "-") {
			return fmt.Sprintf("; %s came after an argument: flags go before the arguments", a)
		}
	}
	return ""
}

// printJSON writes v to stdout as indented JSON, for scripts.
func printJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// orEmpty is s, or an empty slice for nil (so that JSON has [], not null).
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// exitCode is the process's exit status for err.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}
