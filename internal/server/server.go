// Package server assembles a running Vigil: it opens the keys, builds the
// services, mounts the API, the public log and the pages on one mux, and
// runs the background workers until its context ends.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/clientip"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/converse"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/jobs"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/line"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/metrics"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/ratelimit"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/search"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/telegram"
	"github.com/vigil-project/vigil/internal/views"
	"github.com/vigil-project/vigil/internal/web"
	"github.com/vigil-project/vigil/internal/webhooks"
	"github.com/vigil-project/vigil/internal/whatsapp"
)

// Server is an assembled Vigil.
type Server struct {
	Cfg      *config.Config
	DB       *store.DB
	Keys     *seal.Keyring
	Intake   *intake.Service
	Casework *casework.Service
	Staff    *staff.Service
	Links    *links.Service
	Search   *search.Service
	Jobs     *jobs.Runner
	Stats    *stats.Service
	Ledger   *ledger.Log
	Screen   *screen.Service
	API      *api.API
	Notify   *notify.Service
	// Webhooks keeps organisations' webhook endpoints and sends their
	// deliveries.
	Webhooks *webhooks.Service
	// Converse is the chat apps' conversation engine; Telegram its
	// Telegram bot, nil without VIGIL_TELEGRAM_TOKEN.
	Converse *converse.Engine
	Telegram *telegram.Bot
	// Line and WhatsApp are the LINE and WhatsApp adapters, nil unless
	// configured (config.Chats); their webhooks are mounted with them.
	Line     *line.Bot
	WhatsApp *whatsapp.Bot
	Metrics  *metrics.Registry
	Log      *slog.Logger
	Ingest   *ingest.Service // spreadsheet and KoboToolbox imports
	// Files keeps the attachment files (Attachments: the data
	// directory's, or the configured bucket).
	Files blob.Store

	handler http.Handler
	// telegramSecret is the Telegram webhook's secret token, "" when the
	// bot long-polls.
	telegramSecret string
	// SetupToken opens the first-run setup page (/setup?token=…) while no
	// account exists; empty once the installation has one at start.
	SetupToken string
	// bg tracks background goroutines started by Start; stop ends them.
	bg   sync.WaitGroup
	stop context.CancelFunc
}

// Job kinds.
const (
	// JobFollowUp is the one job intake queues for every new or changed
	// report: linking it, screening it and announcing it to webhooks, in
	// that order, a claim's worth at a time (followUp).
	JobFollowUp = "report.followup"
	// JobLinks, JobScreen and webhooks.JobReport are each one of those
	// steps alone: intake queued all three before JobFollowUp, and the
	// migration that emptied the link index queues JobLinks. They are
	// still run, for jobs queued by an older version.
	JobLinks  = "links"
	JobScreen = "screen"
)

// MailAttempts is how often an e-mail is tried before it is given up.
const MailAttempts = 60

// followUp is JobFollowUp's batch handler: the reports are linked, then
// screened, then announced, each step a batch (one transaction, or none)
// for all of them. A report that fails any step fails the job, which the
// runner retries whole with backoff; every step is safe to do again (the
// index and the hits are compared with what is there, a webhook delivery
// is queued once per report and endpoint), so a retry repeats no effect.
// Each step is observed under its own kind, so the job metrics keep
// linking, screening and announcing apart.
func (s *Server) followUp(ctx context.Context, ids []string) map[string]error {
	failed := map[string]error{}
	// Screening and webhooks read the same reports: once (linking changes
	// none of what they read).
	rs, readErr := s.DB.Read().GetReports(ctx, ids)
	for _, step := range []struct {
		kind string
		run  jobs.BatchHandler
	}{
		{JobLinks, s.Links.ProcessBatch},
		{JobScreen, func(ctx context.Context, ids []string) map[string]error {
			if readErr != nil {
				return jobs.FailAll(ids, readErr)
			}
			return s.screenRead(ctx, ids, rs)
		}},
		{webhooks.JobReport, func(ctx context.Context, ids []string) map[string]error {
			if readErr != nil {
				return jobs.FailAll(ids, fmt.Errorf("server: announce reports: %w", readErr))
			}
			return s.Webhooks.AnnounceReports(ctx, ids, rs)
		}},
	} {
		start := time.Now()
		stepFailed := step.run(ctx, ids)
		each := time.Since(start) / time.Duration(max(1, len(ids)))
		for _, id := range ids {
			err, bad := stepFailed[id]
			if bad {
				if _, already := failed[id]; !already {
					failed[id] = fmt.Errorf("%s: %w", step.kind, err)
				}
			}
			s.Metrics.Job(step.kind, each, err)
		}
	}
	return failed
}

// screenReports screens the subjects of a batch of reports against every
// loaded watch list (the screening job's batch handler): the reports are
// read in one query and screened together (screen.Service.ScreenReports).
// A report that is not there fails alone.
func (s *Server) screenReports(ctx context.Context, ids []string) map[string]error {
	rs, err := s.DB.Read().GetReports(ctx, ids)
	if err != nil {
		return jobs.FailAll(ids, err)
	}
	return s.screenRead(ctx, ids, rs)
}

// screenRead is screenReports with the reports already read, by ID.
func (s *Server) screenRead(ctx context.Context, ids []string, rs map[string]*store.Report) map[string]error {
	var batch []screen.ReportSubjects
	missing := map[string]error{}
	for _, id := range ids {
		r, ok := rs[id]
		if !ok {
			missing[id] = fmt.Errorf("server: screen report %s: %w", id, store.ErrNotFound)
			continue
		}
		batch = append(batch, screen.ReportSubjects{ReportID: id, Subjects: r.Subjects})
	}
	failed := s.Screen.ScreenReports(ctx, batch)
	for id, err := range missing {
		failed[id] = err
	}
	return failed
}

// Attachments returns the store of the attachment files cfg names: the
// bucket of cfg.AttachmentsS3, else the data directory's attachments/.
func Attachments(cfg *config.Config) (blob.Store, error) {
	a := cfg.AttachmentsS3
	if !a.On() {
		return blob.NewDir(filepath.Join(cfg.DataDir, "attachments")), nil
	}
	return blob.NewS3(blob.S3Config{Endpoint: a.Endpoint, Bucket: a.Bucket, Prefix: a.Prefix, Region: a.Region,
		AccessKey: a.AccessKey, SecretKey: a.SecretKey, Insecure: a.Insecure})
}

// CheckTimeout bounds the check at start that the attachment store can
// be reached.
const CheckTimeout = 15 * time.Second

// OpenAttachments is Attachments, checked: a bucket that cannot be
// reached, or does not exist, is an error naming it, so a server fails at
// start rather than at its first attachment.
func OpenAttachments(ctx context.Context, cfg *config.Config) (blob.Store, error) {
	files, err := Attachments(cfg)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	if err := files.Check(ctx); err != nil {
		return nil, fmt.Errorf("attachments: %s cannot be used (check VIGIL_ATTACHMENTS_S3_*): %w", files, err)
	}
	return files, nil
}

// New builds a server on an open database. It checks that the attachment
// store can be reached (OpenAttachments).
func New(ctx context.Context, cfg *config.Config, db *store.DB, keys *seal.Keyring, logger *slog.Logger) (*Server, error) {
	s := &Server{Cfg: cfg, DB: db, Keys: keys, Log: logger, Metrics: metrics.New()}
	var err error
	if s.Files, err = OpenAttachments(ctx, cfg); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	// Audit reasons stored in plaintext by a version before migration 0011
	// are sealed before anything is served.
	if err := audit.SealStoredReasons(ctx, db, keys, logger); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	// The origin chosen at setup, recorded in the database, wins over the
	// placeholder default; the start-up warnings see the one in use.
	explicit := cfg.LogOrigin != config.DefaultLogOrigin
	origin, err := ledger.ResolveOrigin(ctx, db, cfg.LogOrigin, explicit)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	cfg.LogOrigin = origin
	logKey, err := ledger.OpenKey(ctx, db, cfg.LogKeyFile, origin)
	if err != nil {
		return nil, fmt.Errorf("server: ledger key: %w", err)
	}
	if s.Ledger, err = ledger.New(db, logKey, logger); err != nil {
		return nil, fmt.Errorf("server: ledger: %w", err)
	}
	// Places of reports stored before intake resolved them are resolved
	// (once) before the place filter and the statistics are served.
	if err := intake.ResolveStoredPlaces(ctx, db, logger); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.Intake = intake.New(db, keys, s.Ledger, func(ctx context.Context, ids []string) { s.Jobs.Notify() }, logger)
	s.Intake.FollowUps = []string{JobFollowUp}
	s.Intake.Files = s.Files
	s.Intake.Uploads = intake.UploadLimits{ClientHourly: cfg.AttachClientHourly, Hourly: cfg.AttachHourly, MinFreeDisk: cfg.MinFreeDisk}
	s.Ingest = ingest.New(db, s.Intake, logger)
	// A hit is as visible as its report: screen asks intake who may see one.
	s.Screen = screen.New(db, logger, screen.WithReports(s.Intake), screen.WithObserver(s.Metrics.Screen))
	if err := s.Screen.Load(ctx); err != nil {
		return nil, fmt.Errorf("server: watch lists: %w", err)
	}
	s.Casework = casework.New(db, keys, s.Intake, logger)
	s.Notify = notify.New(db)
	s.Webhooks = webhooks.New(db, keys, logger, cfg.WebhookAllowPrivate)
	s.Search = search.New(db, keys, s.Intake, s.Casework, logger)
	s.Search.SpillDir = cfg.DataDir
	s.Intake.Index = s.Search
	s.Staff = staff.New(db, cfg.SessionTTL)
	s.Links = links.New(db, keys, s.Intake, logger)
	s.Links.SpillDir = cfg.DataDir
	if s.Converse, err = converse.New(db, keys, s.Intake, logger); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.Converse.DraftTTL = cfg.ChatDraftTTL
	if cfg.TelegramToken != "" {
		s.Telegram = telegram.New(cfg.TelegramAPI, cfg.TelegramToken, db, s.Converse, logger)
	}
	s.Links.Hits = s.Screen
	s.Jobs = jobs.New(db, map[string]jobs.Handler{
		notify.JobMail: s.Notify.SendOne, notify.JobDigest: s.Notify.SendDigest, notify.JobSweep: s.Notify.Sweep,
		converse.JobSweep: s.Converse.Sweep, webhooks.JobDeliver: s.Webhooks.Deliver,
		jobs.JobPrune: func(ctx context.Context, _ string) error {
			n, err := jobs.Prune(ctx, db, time.Now().Add(-jobs.Keep))
			if n > 0 {
				logger.Info("jobs: pruned finished jobs", "deleted", n)
			}
			return err
		}}, logger)
	// Linking, screening and announcing new reports are done a claim's worth
	// at a time, in one transaction per step, to keep up with intake (issue
	// #19); one job a report, not one a step, so the queue's churn (a row
	// written, claimed and finished) is paid once a report.
	s.Jobs.Batch = map[string]jobs.BatchHandler{JobFollowUp: s.followUp, JobLinks: s.Links.ProcessBatch, JobScreen: s.screenReports,
		webhooks.JobReport: s.Webhooks.ReportBatch}
	s.Jobs.Claim = JobClaim
	// Webhook deliveries wait on other people's servers: workers of their
	// own (DeliveryWorkers) send them, so an endpoint that never answers
	// delays no linking or screening.
	s.Jobs.Apart = []string{webhooks.JobDeliver}
	// E-mail waits out a mail server that is down for about two days
	// (backoff up to an hour) before it is given up and shown to admins.
	s.Jobs.Attempts = map[string]int{notify.JobMail: MailAttempts, notify.JobDigest: MailAttempts}
	s.Jobs.Every = map[string]time.Duration{notify.JobSweep: notify.SweepEvery, converse.JobSweep: time.Hour,
		jobs.JobPrune: jobs.PruneEvery}
	s.Jobs.Observe = s.Metrics.Job
	s.Metrics.Register(dbCollector{db: db, kinds: s.Jobs.Kinds()})
	if cfg.SMTP != nil {
		tr, err := web.Messages()
		if err != nil {
			return nil, fmt.Errorf("server: mail: %w", err)
		}
		s.Notify.UseMail(&notify.SMTP{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password,
			TLS: cfg.SMTP.TLS, From: cfg.SMTPFrom}, cfg.PublicURL, tr)
	}
	// The link service scores job ads against its index: the public
	// check's and the case page's.
	if err := s.Links.EnableLure(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.Stats = stats.New(db)
	cats, err := web.Catalogues()
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	exports := listexport.New(db, s.Intake, s.Casework, s.Stats, s.Search, cats)
	data := export.New(db, keys, s.Intake, cats)
	savedViews := views.New(db)
	// One budget per client for the public pages and the public API
	// routes together.
	public := ratelimit.New(cfg.PublicRate, clientip.New(cfg.TrustedProxies))
	s.API = api.New(api.Services{Intake: s.Intake, Casework: s.Casework, Staff: s.Staff, Links: s.Links, Screen: s.Screen, Search: s.Search, Notify: s.Notify, Stats: s.Stats, Export: exports, Data: data, Views: savedViews, Webhooks: s.Webhooks, DB: db, Reasons: keys, Ingest: s.Ingest, Files: s.Files}, logger,
		api.Options{BodyLimit: cfg.BodyLimit, PublicRate: cfg.PublicRate, Metrics: s.Metrics, TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken, Limiter: public, PublicURL: cfg.PublicURL})
	mux := http.NewServeMux()
	s.API.Mount(mux)
	// The public log is rate-limited per client; its full tiles and entry
	// bundles are immutable, so a caching proxy in front absorbs most of
	// it.
	logLimit := api.LimitClients(cfg.LogRate, cfg.TrustedProxies)
	mux.Handle("/log/", logLimit(s.Ledger.Handler()))
	mux.Handle("GET /log/proof/inclusion", logLimit(s.Ledger.InclusionHandler()))
	mux.Handle("GET /log/proof/consistency", logLimit(s.Ledger.ConsistencyHandler()))
	if need, err := s.Staff.NeedsSetup(ctx); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	} else if need {
		s.SetupToken = rand.Text()
	}
	// Setup names the ledger unless VIGIL_LOG_ORIGIN did: a name set there
	// would then conflict with the one recorded.
	var namer web.Namer
	if !explicit {
		namer = s.Ledger
	}
	if err := web.Mount(mux, web.Deps{SetupToken: s.SetupToken, Cfg: cfg, DB: db, Limiter: public, Intake: s.Intake, Casework: s.Casework, Staff: s.Staff, Notify: s.Notify, Log: logger,
		KeyFingerprints: map[string]string{"master key": keys.Fingerprint(), "ledger verifier key": logKey.VerifierKey()},
		Links:           s.Links,
		Screen:          s.Screen,
		Export:          exports,
		Data:            data,
		Views:           savedViews,
		Audit:           audit.New(db, keys),
		Search:          s.Search,
		Stats:           s.Stats,
		Ledger:          namer,
		Ingest:          s.Ingest,
		Webhooks:        s.Webhooks,
	}); err != nil {
		return nil, fmt.Errorf("server: pages: %w", err)
	}
	if s.Telegram != nil && cfg.PublicURL != "" {
		// Webhook mode: Telegram POSTs updates here, with a secret derived
		// from the bot's token and the instance's keys (the same on every
		// server of the database).
		s.telegramSecret = keys.BlindIndex("telegram-webhook", cfg.TelegramToken)
		mux.Handle("POST "+telegram.WebhookPath, s.Telegram.Webhook(s.telegramSecret))
	}
	s.mountChats(mux)
	s.handler = securityHeaders(mux)
	return s, nil
}

// WarnSetup logs, once at start, what keeps the instance from doing its
// job or is unsafe: no organisation receives public reports (every public
// report is refused), the ledger's placeholder name, cookies without Secure
// on an address other machines reach, a data directory in memory.
func (s *Server) WarnSetup(ctx context.Context) {
	if _, err := s.DB.Read().PublicIntakeOrganisation(ctx); errors.Is(err, store.ErrNotFound) {
		s.Log.WarnContext(ctx, "server: no organisation receives public reports, so the public form and POST /api/v1/reports refuse every report (503 not_accepting_reports) until one does: vigil org add --receives-public")
	}
	for _, w := range config.Warnings(s.Cfg) {
		s.Log.WarnContext(ctx, "server: "+w)
	}
	m, err := s.DB.PostgresMemory(ctx)
	if err != nil {
		s.Log.WarnContext(ctx, "server: could not read PostgreSQL's memory settings", "err", err)
	}
	for _, w := range PostgresWarnings(m) {
		s.Log.WarnContext(ctx, "server: "+w)
	}
}

// PostgresWarnings says which of PostgreSQL's memory settings are too
// small for the data (docs/operations.md, "PostgreSQL settings"): the
// public check reads the identifiers table by key at every request and
// needs it in shared_buffers (with the default 128 MB it read from the OS
// cache and missed its target at a million reports); the planner needs
// effective_cache_size to count on the identifiers and the search index's
// blocks being cached; and the planner needs current statistics of the large
// tables (after a load by hand, before autovacuum got to them).
func PostgresWarnings(m store.PostgresMemory) []string {
	mb := func(n int64) string { return fmt.Sprintf("%d MB", (n+1<<20-1)>>20) }
	var out []string
	if m.SharedBuffers > 0 && m.SharedBuffers < m.Identifiers {
		out = append(out, fmt.Sprintf("PostgreSQL's shared_buffers (%s) is smaller than the link index's identifiers table (%s), which every public check reads: set shared_buffers to at least %s (docs/operations.md, \"PostgreSQL settings\")",
			mb(m.SharedBuffers), mb(m.Identifiers), mb(m.Identifiers*5/4)))
	}
	if hot := m.Identifiers + m.SearchIndex; m.EffectiveCache > 0 && m.EffectiveCache < hot {
		out = append(out, fmt.Sprintf("PostgreSQL's effective_cache_size (%s) is smaller than the identifiers table and the search index together (%s): give the machine that much memory for its cache and set effective_cache_size to it (docs/operations.md, \"PostgreSQL settings\")",
			mb(m.EffectiveCache), mb(hot)))
	}
	if len(m.Unanalyzed) > 0 {
		out = append(out, fmt.Sprintf("PostgreSQL has no current planner statistics for %s (never analyzed, or more than half the rows changed since): run ANALYZE on the database; until autovacuum gets to them a query may scan a whole table (docs/operations.md, \"PostgreSQL settings\")",
			strings.Join(m.Unanalyzed, ", ")))
	}
	return out
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// The published range of the public check (links.Published) is rebuilt
// RangeDebounce after the link service changes it, and every RangeRefresh
// whatever happened (a report put in a case, another server's changes).
// The public check answers from it while it is current (links.Service.Check),
// so RangeRefresh is also how late another server's change can show in this
// server's check; a build with nothing changed is three short reads.
const (
	RangeDebounce = 2 * time.Second
	RangeRefresh  = 10 * time.Second
)

// SearchMergeEvery is how often the search index's pending rows (a row of
// hashes a report, as intake writes them) are merged into its term-keyed
// table, 500 at a time (search.MergeBatch) until none is left.
const SearchMergeEvery = time.Second

// UpkeepEvery is how often a server on PostgreSQL looks for tables of its
// hot paths whose planner statistics are stale, or queues whose dead rows
// pile up, and refreshes or vacuums them (store.DB.Upkeep).
const UpkeepEvery = 10 * time.Second

// TrustEvery is how often the trust worker looks for identifiers to weigh
// again (links.RunTrust) once it has caught up: until it has, a check of
// one of them weighs its reports itself.
const TrustEvery = 250 * time.Millisecond

// JobClaim is how many due jobs a job worker claims at a time: a batch of
// linking and of screening jobs, each done in one transaction.
const JobClaim = 128

// JobWorkers is how many job workers Start runs: extraction and screening
// are CPU work that can use both cores while the other worker waits on the
// database.
const JobWorkers = 2

// DeliveryWorkers is how many workers Start runs for webhook deliveries
// (jobs.Runner.RunApart), besides the JobWorkers: each holds at most a
// few deliveries of webhooks.Timeout each.
const DeliveryWorkers = 2

// Start starts the background workers (the intake batcher).
func (s *Server) Start(ctx context.Context) {
	s.Intake.Start()
	if s.stop != nil {
		return
	}
	ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	s.bg.Add(5 + JobWorkers + DeliveryWorkers)
	go func() {
		defer s.bg.Done()
		s.DB.RunUpkeep(ctx, UpkeepEvery, s.Log)
	}()
	go func() {
		defer s.bg.Done()
		s.Links.RunRange(ctx, RangeDebounce, RangeRefresh)
	}()
	go func() {
		defer s.bg.Done()
		s.Links.RunTrust(ctx, TrustEvery)
	}()
	go func() {
		defer s.bg.Done()
		s.Search.RunMerge(ctx, SearchMergeEvery)
	}()
	for range JobWorkers {
		go func() {
			defer s.bg.Done()
			s.Jobs.Run(ctx)
		}()
	}
	for range DeliveryWorkers {
		go func() {
			defer s.bg.Done()
			s.Jobs.RunApart(ctx)
		}()
	}
	go func() {
		defer s.bg.Done()
		if err := s.Ledger.Run(ctx); err != nil {
			s.Log.Error("server: ledger sequencer stopped", "err", err)
		}
	}()
	if s.Telegram != nil {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			if s.telegramSecret != "" {
				s.Telegram.RunWebhook(ctx, strings.TrimRight(s.Cfg.PublicURL, "/")+telegram.WebhookPath, s.telegramSecret)
				return
			}
			s.Telegram.Run(ctx)
		}()
	}
}

// Close stops the background workers after their queued work is done.
func (s *Server) Close() {
	s.Intake.Close()
	if s.stop != nil {
		s.stop()
	}
	s.bg.Wait()
}

// securityHeaders sets the headers every response carries: a strict
// Content-Security-Policy with no third-party host, no sniffing, no framing,
// and no referrer to another site. Within the site the browser keeps its
// origin (Referrer-Policy same-origin): with no-referrer it posts forms with
// "Origin: null", and on plain HTTP at a LAN address, where it sends no
// Sec-Fetch-Site either, the cross-site check could not tell Vigil's own
// forms from another site's and refused them.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Assigned as prepared: every response carries them, and Set's
		// canonicalising and allocating showed in the range's profile. The
		// slices are shared and never written to (Add on one appends to a
		// copy, their capacity being full).
		for _, kv := range securityHeaderValues {
			h[kv.key] = kv.value
		}
		next.ServeHTTP(w, r)
	})
}

// securityHeaderValues are the headers every response carries, with
// canonical keys.
var securityHeaderValues = []struct {
	key   string
	value []string
}{
	{"Content-Security-Policy", []string{"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=()"}},
}

// maxConns is the total connection cap: the configured one, else half the
// file-descriptor limit (the rest is for the database, attachments and
// logs), at most 4096 and at least 64.
func maxConns(configured int) int {
	if configured > 0 {
		return configured
	}
	n := 4096
	if fd := fdLimit(); fd > 0 {
		n = min(n, fd/2)
	}
	return max(n, 64)
}

// ListenAndServe serves on cfg.Addr, with the connection caps and timeouts
// of cfg, until ctx ends, then shuts down gracefully: in-flight requests
// finish (up to 30 s), then the background workers drain. ready, if not
// nil, receives the bound address.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr string)) error {
	tcp, err := net.Listen("tcp", s.Cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen %s: %w", s.Cfg.Addr, err)
	}
	total := maxConns(s.Cfg.HTTPMaxConns)
	ln := newConnLimit(tcp, s.Cfg.HTTPMaxConnsPerClient, total, clientip.New(s.Cfg.TrustedProxies), s.Log, s.Metrics)
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.Cfg.ReadHeaderTimeout,
		ReadTimeout:       s.Cfg.ReadTimeout,
		WriteTimeout:      s.Cfg.WriteTimeout,
		IdleTimeout:       s.Cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
	serve, scheme := srv.Serve, "http"
	if s.Cfg.TLSCert != "" {
		certs, err := newCertFiles(s.Cfg.TLSCert, s.Cfg.TLSKey, s.Log)
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get}
		serve = func(ln net.Listener) error { return srv.ServeTLS(ln, "", "") }
		scheme = "https"
	}
	if s.Cfg.PprofAddr != "" {
		if err := s.servePprof(ctx); err != nil {
			ln.Close()
			return err
		}
	}
	s.Start(ctx)
	errc := make(chan error, 1)
	go func() { errc <- serve(ln) }()
	s.Log.Info("vigil: serving", "addr", ln.Addr().String(), "scheme", scheme, "database", s.Cfg.Redacted(), "engine", s.DB.Engine,
		"max_conns", total, "max_conns_per_client", s.Cfg.HTTPMaxConnsPerClient)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		s.Close()
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.Log.Info("vigil: shutting down; finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	s.Close()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	if err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	s.Log.Info("vigil: stopped")
	return nil
}
