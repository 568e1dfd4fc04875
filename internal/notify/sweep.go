package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/zone"
)

// Sweep timing.
const (
	// SweepEvery is how often the job runner queues the sweep.
	SweepEvery = 10 * time.Minute
	// ReferralDeadline is how long a partner may leave a referral pending
	// before its case's owner is told it is overdue.
	ReferralDeadline = 7 * 24 * time.Hour
	// lookBack bounds how far past a deadline the sweep still tells: a
	// case overdue for longer when the sweep first ran (an instance that
	// was down, or just upgraded) is not announced. It keeps each sweep's
	// work bounded by the deadlines of a week.
	lookBack = 7 * 24 * time.Hour
	// sweepPage is how many cases one transaction of the sweep handles.
	sweepPage = 500
)

// system is who raises the sweep's notifications: no one.
var system = auth.Actor{}

// Sweep is the JobSweep handler: it tells assignees of the deadlines due
// within a day and those just passed, tells owners of referrals left
// pending past ReferralDeadline, and queues the day's digests. Each event
// is told once, however often the sweep runs (the deadline's case and time
// name it); a deadline moved is a new event.
func (s *Service) Sweep(ctx context.Context, _ string) error {
	now := s.now()
	nowUS := now.UnixMicro()
	// Deadlines from lookBack ago to a day ahead, in deadline order.
	afterDue, afterID := now.Add(-lookBack).UnixMicro(), ""
	for {
		ds, err := s.db.Read().CaseDeadlines(ctx, afterDue, afterID, now.Add(24*time.Hour).UnixMicro(), sweepPage)
		if err != nil {
			return fmt.Errorf("notify: sweep: %w", err)
		}
		if len(ds) == 0 {
			break
		}
		err = s.db.Tx(ctx, func(q store.Q) error {
			for _, d := range ds {
				kind := DeadlineTomorrow
				if d.DueAt <= nowUS {
					kind = DeadlineOverdue
				}
				if err := AddOnce(ctx, q, system, d.AssigneeID, kind, "case", d.CaseID, fmt.Sprintf("%s@%d", d.CaseID, d.DueAt)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("notify: sweep: %w", err)
		}
		last := ds[len(ds)-1]
		afterDue, afterID = last.DueAt, last.CaseID
	}
	refs, err := s.db.Read().PendingReferrals(ctx, now.Add(-ReferralDeadline-lookBack).UnixMicro(), now.Add(-ReferralDeadline).UnixMicro())
	if err != nil {
		return fmt.Errorf("notify: sweep: %w", err)
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		for _, r := range refs {
			if err := AddOnce(ctx, q, system, r.Owner, ReferralOverdue, "case", r.CaseID, r.ID); err != nil {
				return err
			}
		}
		// A digest a day for each who chose one and has something unread,
		// from the midnight of the user's time zone (its own, else its
		// organisation's); its job is named by user and local day, so it
		// is queued once.
		users, err := q.DigestUsers(ctx, nowUS, nowUS)
		if err != nil {
			return err
		}
		var jobs []*store.Job
		for _, u := range users {
			day := zone.Midnight(now, zone.Resolve(u.UserZone, u.OrgZone, u.Country))
			if u.DigestAt >= day.UnixMicro() {
				continue
			}
			jobs = append(jobs, &store.Job{ID: fmt.Sprintf("digest:%s:%s", u.UserID, day.Format("20060102")), Kind: JobDigest, ReportID: u.UserID})
		}
		return q.PutJobsOnce(ctx, jobs, nowUS)
	})
	if err != nil {
		return fmt.Errorf("notify: sweep: %w", err)
	}
	return nil
}
