package engine

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// Program returns the inline program for an environment: the project's
// program (run is program.RunSpec) on s, which carries any --set and
// STREAMSEC_* overrides on top of the stack file, with the cookie secret
// taken from the stack's encrypted config at run time. Like program.Run, a
// real engine run refuses to go on without the secret (only the offline plan
// may use a placeholder).
func Program(s *spec.Spec, run func(*pulumi.Context, *spec.Spec) error) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		sc := *s
		sc.CookieSecret = spec.Secret{}
		if v, ok := ctx.GetConfig(CookieSecretKey); ok && v != "" {
			sc.CookieSecret = spec.NewSecret(v)
		}
		if err := sc.RequireSecrets(); err != nil {
			return err
		}
		return run(ctx, &sc)
	}
}
