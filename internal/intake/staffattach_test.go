package intake_test

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/intake/intaketest"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestStaffAttachment adds files as staff: who may, the public form's
// checks naming the field, the name kept sealed and listed, the
// thumbnail drawn from the sealed file, and each opening audited.
func TestStaffAttachment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.in.Files = blob.NewDir(t.TempDir())
		ctx := context.Background()
		ack := e.submit(t, "", &intake.Submission{Language: "en", Narrative: "Held at Bavet; the boss took our passports."})
		photo := intaketest.JPEG(800, 400, 1)
		for _, tt := range []struct {
			name  string
			as    string
			file  string
			data  []byte
			want  error
			field string
		}{
			{"intake staff", "intake@hotline", "gate.jpg", photo, nil, ""},
			{"investigator, a PDF", "investigator@hotline", `C:\scans\letter.pdf`, intaketest.PDF(), nil, ""},
			{"admin may not", "admin@hotline", "x.jpg", photo, store.ErrNotFound, ""},
			{"other organisation", "coordinator@ngo", "x.jpg", photo, store.ErrNotFound, ""},
			{"a ZIP", "coordinator@hotline", "x.zip", intaketest.ZIP(), nil, "file"},
			{"a JPEG with a ZIP after it", "coordinator@hotline", "x.jpg", append(slices.Clone(photo), intaketest.ZIP()...), nil, "file"},
			{"empty", "coordinator@hotline", "x.jpg", nil, nil, "file"},
			{"no name", "coordinator@hotline", " ", photo, nil, "file"},
			{"too large", "coordinator@hotline", "big.jpg", make([]byte, intake.MaxAttachment+1), nil, "file"},
		} {
			_, err := e.in.AddAttachment(ctx, e.actors[tt.as], ack.ID, "file", tt.file, bytes.NewReader(tt.data))
			if tt.field != "" {
				if f, ok := fieldOf(err); !ok || f != tt.field {
					t.Errorf("%s: %v; want an error naming %q", tt.name, err, tt.field)
				}
				continue
			}
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
			}
		}
		coord := e.actors["coordinator@hotline"]
		v, err := e.in.Get(ctx, coord, ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range v.Attachments {
			names = append(names, a.Name+" "+a.MediaType)
		}
		if want := []string{"gate.jpg image/jpeg", "letter.pdf application/pdf"}; !slices.Equal(names, want) {
			t.Fatalf("attachments %q; want %q", names, want)
		}
		jpg := v.Attachments[0]
		if jpg.Size != int64(len(photo)) || len(jpg.SHA256) != 64 {
			t.Errorf("attachment %+v; want size %d and a SHA-256", jpg, len(photo))
		}
		th, err := e.in.Thumbnail(ctx, coord, ack.ID, jpg.ID)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(th))
		if err != nil || cfg.Width != intake.ThumbSize || cfg.Height != intake.ThumbSize/2 {
			t.Errorf("thumbnail %dx%d, %v; want %dx%d", cfg.Width, cfg.Height, err, intake.ThumbSize, intake.ThumbSize/2)
		}
		if _, err := e.in.Thumbnail(ctx, coord, ack.ID, v.Attachments[1].ID); !errors.Is(err, intake.ErrNoCleanCopy) {
			t.Errorf("thumbnail of a PDF: %v; want ErrNoCleanCopy", err)
		}
		if _, err := e.in.Thumbnail(ctx, e.actors["coordinator@ngo"], ack.ID, jpg.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation's thumbnail: %v; want not found", err)
		}
		// A partner sees the files only when the referral shares the
		// statements.
		c, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "Bavet"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: []string{intake.SharePlaces}}); err != nil {
			t.Fatal(err)
		}
		partner := e.actors["partner@police"]
		if as, err := e.in.Attachments(ctx, partner, ack.ID); err != nil || len(as) != 0 {
			t.Errorf("partner without statements lists %d attachments, %v; want none", len(as), err)
		}
		if _, err := e.in.Thumbnail(ctx, partner, ack.ID, jpg.ID); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("partner thumbnail: %v; want forbidden", err)
		}
		if _, err := e.in.AddAttachment(ctx, partner, ack.ID, "file", "p.jpg", bytes.NewReader(photo)); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("partner adds a file: %v; want forbidden", err)
		}
		// Added and opened, each audited; the file on disk is sealed.
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{ResourceType: "report", ResourceID: ack.ID})
		if err != nil {
			t.Fatal(err)
		}
		var acts []string
		for _, ev := range evs {
			acts = append(acts, ev.Action)
		}
		for _, want := range []string{"attachment.add", "attachment.thumbnail"} {
			if !slices.Contains(acts, want) {
				t.Errorf("audit %q; want %s", acts, want)
			}
			if !slices.Contains(audit.Actions(), want) {
				t.Errorf("%s is not in audit.Actions", want)
			}
		}
		if strings.Contains(string(photo), "gate.jpg") {
			t.Fatal("test photo holds its own name")
		}
	})
}
