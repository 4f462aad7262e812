// Declares a repository that already exists, as `pulumi import` would write it.
package main

import (
	"github.com/pulumi-awsecr/pulumi-awsecr/sdk/go/awsecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := awsecr.NewRepository(ctx, "legacy", &awsecr.RepositoryArgs{
			RepositoryName:  pulumi.String("legacy/web"),
			ImmutableTags:   pulumi.Bool(false),
			ScanOnPush:      pulumi.Bool(false),
			EncryptionType:  awsecr.EncryptionTypeAES256,
			ForceDelete:     pulumi.Bool(false),
			LifecyclePolicy: &awsecr.LifecyclePolicyArgs{ExpireUntaggedAfterDays: pulumi.Int(3)},
			Tags:            pulumi.StringMap{"owner": pulumi.String("web")},
		})
		return err
	})
}
