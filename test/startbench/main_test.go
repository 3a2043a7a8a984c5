package main

import "testing"

func TestQuantile(t *testing.T) {
	for _, tt := range []struct {
		xs   []float64
		q    float64
		want float64
	}{
		{[]float64{3, 1, 2}, 0.5, 2},
		{[]float64{4, 1, 3, 2}, 0.5, 3}, // nearest rank: index 1.5 rounds up
		{[]float64{5, 1, 4, 2, 3}, 0.2, 2},
		{[]float64{7}, 0.2, 7},
		{[]float64{10, 1}, 0, 1},
		{[]float64{10, 1}, 1, 10},
	} {
		if got := quantile(tt.xs, tt.q); got != tt.want {
			t.Errorf("quantile(%v, %v) = %v, want %v", tt.xs, tt.q, got, tt.want)
		}
	}
}

// quantile must not reorder the caller's samples: the pairwise ratios
// read them by index afterwards.
func TestQuantileLeavesInputAlone(t *testing.T) {
	xs := []float64{3, 1, 2}
	quantile(xs, 0.5)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Errorf("input reordered: %v", xs)
	}
}
