package main

import (
	"context"
	"errors"
	"fmt"
)

// runBot runs a chat app's bot with the background workers (intake, the
// ledger sequencer, jobs) and no HTTP server, until interrupted.
func runBot(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("bot: want telegram: %w", errUsage)
	}
	sub, fs, cfg, err := subcommand(e, "bot", args, []string{"telegram"})
	if err != nil {
		return err
	}
	if sub != "telegram" {
		return fmt.Errorf("bot: unknown chat app %q (want telegram): %w", sub, errUsage)
	}
	db, err := parseAndOpen(ctx, fs, cfg, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.TelegramToken == "" {
		return fmt.Errorf("bot telegram: set VIGIL_TELEGRAM_TOKEN (or VIGIL_TELEGRAM_TOKEN_FILE) to the bot's token: %w", errUsage)
	}
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	if srv.Telegram == nil {
		return errors.New("bot telegram: no bot was assembled")
	}
	srv.Start(ctx)
	fmt.Fprintln(e.stderr, "vigil: the Telegram bot is running; stop it with Ctrl-C")
	<-ctx.Done()
	srv.Close()
	return nil
}
