package ingest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// MaxKoboBody bounds one webhook delivery (a submission's JSON; its files
// are fetched separately).
const MaxKoboBody = 4 << 20

// CreateKoboHook creates a KoboToolbox REST Service hook for organisation
// orgID reading submissions with mapping (YAML, checked here), and returns
// the secret token of its URL (/api/v1/intake/kobo/{token}), shown once;
// only its hash is kept. a is the command line (staff.System) or an admin
// of the organisation.
func (s *Service) CreateKoboHook(ctx context.Context, a auth.Actor, orgID, name string, mapping []byte) (string, error) {
	if a.OrgID != "system" && (a.Role != auth.Admin || a.OrgID != orgID) {
		return "", auth.ErrForbidden
	}
	if _, err := ParseMapping(mapping); err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" {
		name = "kobo"
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("ingest: hook token: %w", err)
	}
	token := "kobo_" + base64.RawURLEncoding.EncodeToString(b)
	h := &store.KoboHook{ID: store.NewID(), OrgID: orgID, TokenHash: tokenHash(token), Name: name, Mapping: string(mapping),
		CreatedBy: a.UserID, CreatedAt: s.Now().UnixMicro()}
	err := s.db.Tx(ctx, func(q store.Q) error {
		if _, err := q.GetOrganisation(ctx, orgID); err != nil {
			return err
		}
		if err := q.PutKoboHook(ctx, h); err != nil {
			return err
		}
		ev := a
		ev.OrgID = orgID
		return audit.Record(ctx, q, ev, "import.kobo_hook", "organisation", orgID, map[string]string{"hook": h.ID, "name": name})
	})
	if err != nil {
		return "", fmt.Errorf("ingest: create kobo hook: %w", err)
	}
	return token, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ErrUnknownHook answers a delivery to a token no hook has.
var ErrUnknownHook = answer.Refuse(http.StatusNotFound, "not_found", "token", "no KoboToolbox hook has this address")

// ReceiveKobo files the submissions of one REST Service delivery (body:
// Kobo's JSON, bare or in a payload template) as reports of the hook's
// organisation, read with its mapping. A submission delivered again (a
// retry, or an edit: same root UUID) creates nothing new. A submission the
// mapping cannot read is refused with 422 naming the question.
func (s *Service) ReceiveKobo(ctx context.Context, token string, body io.Reader) (*Result, error) {
	if !strings.HasPrefix(token, "kobo_") || len(token) > 100 {
		return nil, ErrUnknownHook
	}
	h, err := s.db.Read().KoboHookByToken(ctx, tokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownHook
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: kobo hook: %w", err)
	}
	m, err := ParseMapping([]byte(h.Mapping))
	if err != nil {
		return nil, fmt.Errorf("ingest: kobo hook %s: %w", h.ID, err)
	}
	data, err := io.ReadAll(io.LimitReader(body, MaxKoboBody+1))
	if err != nil {
		return nil, answer.Refuse(http.StatusBadRequest, "unreadable", "body", "the request body could not be read")
	}
	if len(data) > MaxKoboBody {
		return nil, answer.Refuse(http.StatusRequestEntityTooLarge, "too_large", "body", fmt.Sprintf("a submission is at most %d bytes", MaxKoboBody))
	}
	t, err := ReadKobo(strings.NewReader(string(data)))
	if err == nil {
		var p *Plan
		if p, err = prepareTable("kobo", "submission", t, m, s.Now(), nil); err == nil {
			a := auth.Actor{UserID: "kobo-hook:" + h.ID, OrgID: h.OrgID, Role: auth.Intake}
			return s.Import(ctx, a, p, Options{})
		}
	}
	var ps *Problems
	if errors.As(err, &ps) {
		msg := ps.List[0].Msg
		field := ps.List[0].Column
		return nil, answer.Refuse(http.StatusUnprocessableEntity, "invalid_submission", field, msg)
	}
	return nil, err
}
