package docker

import (
	"context"
	"errors"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// ensureImage pulls the image when the engine does not have it.
func (e *Executor) ensureImage(ctx context.Context) error {
	_, err := e.cli.ImageInspect(ctx, e.cfg.Image)
	if err == nil {
		return nil
	}
	if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("docker: inspect image %s: %w", e.cfg.Image, err)
	}
	e.cfg.Logger.Info("docker: image missing, pulling", "image", e.cfg.Image)
	resp, err := e.cli.ImagePull(ctx, e.cfg.Image, client.ImagePullOptions{})
	if err == nil {
		err = showPull(ctx, resp, e.cfg.PullProgress)
		_ = resp.Close()
	}
	if err == nil {
		_, err = e.cli.ImageInspect(ctx, e.cfg.Image)
	}
	if err != nil {
		return &ImageError{Image: e.cfg.Image, PullErr: err}
	}
	return nil
}

// isGone reports an error saying the container no longer exists, or is
// already being removed.
func isGone(err error) bool {
	return cerrdefs.IsNotFound(err) || cerrdefs.IsConflict(err)
}

// showPull writes one line per progress message (plain text: PullProgress
// is often a log, not a terminal) and returns the first error the engine
// reports.
func showPull(ctx context.Context, resp client.ImagePullResponse, w io.Writer) error {
	for msg, err := range resp.JSONMessages(ctx) {
		if err != nil {
			return err
		}
		if msg.Error != nil {
			return errors.New(msg.Error.Message)
		}
		line := msg.Status
		if msg.ID != "" {
			line = msg.ID + ": " + line
		}
		if msg.Progress != nil && msg.Progress.Total > 0 {
			line += fmt.Sprintf(" %d/%d", msg.Progress.Current, msg.Progress.Total)
		}
		if line != "" {
			fmt.Fprintln(w, line)
		}
	}
	return nil
}
