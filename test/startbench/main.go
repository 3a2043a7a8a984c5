// Command startbench measures a whole `streamsec plan` process against the
// same binary's bare start (`streamsec --version`), issue 16's "plan within
// 1.3x of the bare start". It alternates the two commands, so that a burst
// of load from elsewhere on the machine (these are shared VMs with steal
// time) hits both alike; running all bare starts and then all plans, as
// the first version of scripts/bench-plan-start.sh did, spread 10-40%
// between runs. It prints medians and 20th percentiles of wall and CPU
// (user+sys of the child, from its rusage) and their ratios. A
// measurement, not a test: nothing fails on a number.
//
//	go run ./test/startbench -bin /tmp/streamsec [-n 101] [-- plan --stack prod]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the streamsec binary to measure")
	n := flag.Int("n", 101, "pairs of runs")
	dir := flag.String("dir", os.TempDir(), "working directory of the runs (no stacks/ folder: the embedded stack files)")
	flag.Parse()
	work := flag.Args()
	if len(work) == 0 {
		work = []string{"plan", "--stack", "prod"}
	}
	if *bin == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: startbench -bin FILE [-n N>0] [-- ARGS...]")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *bin, *dir, *n, work); err != nil {
		fmt.Fprintln(os.Stderr, "startbench:", err)
		os.Exit(1)
	}
}

// sample is one process: wall and CPU time in milliseconds.
type sample struct{ wall, cpu float64 }

func run(ctx context.Context, w io.Writer, bin, dir string, n int, work []string) error {
	// One untimed run of each warms the page cache.
	for _, args := range [][]string{{"--version"}, work} {
		if _, err := once(ctx, bin, dir, args); err != nil {
			return err
		}
	}
	var bare, plan []sample
	for range n {
		b, err := once(ctx, bin, dir, []string{"--version"})
		if err != nil {
			return err
		}
		p, err := once(ctx, bin, dir, work)
		if err != nil {
			return err
		}
		bare, plan = append(bare, b), append(plan, p)
	}
	report(w, "wall", n, work, bare, plan, func(s sample) float64 { return s.wall })
	report(w, "cpu ", n, work, bare, plan, func(s sample) float64 { return s.cpu })
	return nil
}

func once(ctx context.Context, bin, dir string, args []string) (sample, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s %v: %w", bin, args, err)
	}
	wall := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, fmt.Errorf("%s %v: no rusage on this system", bin, args)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return sample{wall: ms(wall), cpu: ms(cpu)}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func report(w io.Writer, what string, n int, work []string, bare, plan []sample, f func(sample) float64) {
	b, p := values(bare, f), values(plan, f)
	ratios := make([]float64, n)
	for i := range n {
		ratios[i] = f(plan[i]) / f(bare[i])
	}
	fmt.Fprintf(w, "%s (%d pairs): bare start median %.1f ms (p20 %.1f), %v median %.1f ms (p20 %.1f); ratio of medians %.2f, of p20 %.2f, median pairwise %.2f\n",
		what, n, quantile(b, 0.5), quantile(b, 0.2), work, quantile(p, 0.5), quantile(p, 0.2),
		quantile(p, 0.5)/quantile(b, 0.5), quantile(p, 0.2)/quantile(b, 0.2), quantile(ratios, 0.5))
}

func values(s []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(s))
	for i, x := range s {
		out[i] = f(x)
	}
	return out
}

// quantile is the nearest-rank quantile q of xs.
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}
