// Two ECR repositories: one on all defaults, one namespaced with KMS,
// lifecycle rules, a movable `latest` tag and tags.
package main

import (
	"github.com/pulumi-awsecr/pulumi-awsecr/sdk/go/awsecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(program)
}

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	forceDelete := cfg.GetBool("forceDelete")
	appEncryption := cfg.Get("appEncryption")
	if appEncryption == "" {
		appEncryption = "AES256"
	}
	team := cfg.Get("team")
	if team == "" {
		team = "platform"
	}
	maxImageCount := cfg.GetInt("maxImageCount")
	if maxImageCount == 0 {
		maxImageCount = 100
	}

	// Immutable tags, scan on push, AES256 encryption, safe deletion: all defaults.
	app, err := awsecr.NewRepository(ctx, "app", &awsecr.RepositoryArgs{
		EncryptionType: awsecr.EncryptionType(appEncryption),
		ForceDelete:    pulumi.Bool(forceDelete),
	})
	if err != nil {
		return err
	}

	api, err := awsecr.NewRepository(ctx, "api", &awsecr.RepositoryArgs{
		RepositoryName: pulumi.String("platform/api"),
		EncryptionType: awsecr.EncryptionTypeKMS,
		KmsKey:         pulumi.String(cfg.Require("kmsKeyArn")),
		LifecyclePolicy: &awsecr.LifecyclePolicyArgs{
			ExpireUntaggedAfterDays: pulumi.Int(14),
			MaxImageCount:           pulumi.Int(maxImageCount),
		},
		MutableTagExclusions: pulumi.StringArray{pulumi.String("latest")},
		Tags: pulumi.StringMap{
			"team":    pulumi.String(team),
			"service": pulumi.String("api"),
		},
		// The ECS task execution role of the api service may pull.
		PullPrincipals: pulumi.StringArray{pulumi.String("arn:aws:iam::123456789012:role/api-task-execution")},
		ForceDelete:    pulumi.Bool(forceDelete),
	})
	if err != nil {
		return err
	}

	ctx.Export("appRepositoryUrl", app.RepositoryUrl)
	ctx.Export("apiRepositoryUrl", api.RepositoryUrl)
	// The IAM policy the task execution role attaches: pull from platform/api only.
	ctx.Export("apiPullPolicy", api.PullPolicyDocument)
	return nil
}
