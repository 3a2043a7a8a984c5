// Command https-only-pack is a one-rule policyx pack used by the e2e tests
// while the project's own packs are built elsewhere, and to show that a
// pack binary blocks `pulumi preview` by itself. Rule: an
// azure-native:web:WebApp must set httpsOnly true.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

func main() {
	err := policyx.Main(func(*pulumi.Context) (policyx.PolicyPack, error) {
		return policyx.NewPolicyPack("e2e-https-only", semver.MustParse("0.1.0"), policyx.EnforcementLevelMandatory, []policyx.Policy{
			policyx.NewResourceValidationPolicy("e2e-webapp-https-only", policyx.ResourceValidationPolicyArgs{
				Description:      "App Service web apps must refuse plain HTTP (httpsOnly true).",
				EnforcementLevel: policyx.EnforcementLevelMandatory,
				ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
					if !isWebApp(args.Resource.Type) {
						return nil
					}
					v, ok := args.Resource.Properties.GetOk("httpsOnly")
					if ok && v.IsComputed() {
						return nil
					}
					if !ok || !v.IsBool() || !v.AsBool() {
						args.Manager.ReportViolation("httpsOnly must be true so the WebSocket is only offered over wss", "")
					}
					return nil
				},
			}),
		})
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func isWebApp(tok string) bool {
	parts := strings.Split(tok, ":")
	return len(parts) == 3 && parts[0] == "azure-native" && strings.Split(parts[1], "/")[0] == "web" && parts[2] == "WebApp"
}
