// Two ECR repositories: one on all defaults, one namespaced with KMS,
// lifecycle rules, a movable `latest` tag and tags; the registry's scanning;
// and a pull-through cache of ECR Public whose repositories get the same
// defaults.
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
			// Pull-request images live a week; the last 30 releases are kept.
			Tagged: awsecr.TaggedLifecycleRuleArray{
				&awsecr.TaggedLifecycleRuleArgs{
					TagPatterns:     pulumi.StringArray{pulumi.String("pr-*")},
					ExpireAfterDays: pulumi.Int(7),
				},
				&awsecr.TaggedLifecycleRuleArgs{
					TagPrefixes: pulumi.StringArray{pulumi.String("v")},
					KeepLast:    pulumi.Int(30),
				},
			},
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

	// Registry-wide: every repository is scanned on push. Only this group is
	// owned here; replication and the registry policy are left as they are.
	registry, err := awsecr.NewRegistry(ctx, "registry", &awsecr.RegistryArgs{
		Scanning: &awsecr.RegistryScanningArgs{
			ScanOnPush: pulumi.StringArray{pulumi.String("*")},
		},
	})
	if err != nil {
		return err
	}

	// A cache of ECR Public (no credential needed): the first pull of
	// <registry>/ecr-public/<image> fetches it from public.ecr.aws.
	ecrPublic, err := awsecr.NewPullThroughCacheRule(ctx, "ecrPublic", &awsecr.PullThroughCacheRuleArgs{
		EcrRepositoryPrefix: pulumi.String("ecr-public"),
		Upstream:            awsecr.UpstreamEcrPublic,
	})
	if err != nil {
		return err
	}

	// The repositories the cache creates get immutable tags, AES256 and
	// expiry rules, like the repositories above.
	ecrPublicRepositories, err := awsecr.NewRepositoryTemplate(ctx, "ecrPublicRepositories", &awsecr.RepositoryTemplateArgs{
		Prefix:     ecrPublic.EcrRepositoryPrefix,
		AppliedFor: awsecr.TemplateAppliedForArray{awsecr.TemplateAppliedForPullThroughCache},
		LifecyclePolicy: &awsecr.LifecyclePolicyArgs{
			ExpireUntaggedAfterDays: pulumi.Int(1),
			MaxImageCount:           pulumi.Int(20),
		},
	})
	if err != nil {
		return err
	}

	ctx.Export("registryId", registry.RegistryId)
	ctx.Export("appRepositoryUrl", app.RepositoryUrl)
	ctx.Export("apiRepositoryUrl", api.RepositoryUrl)
	// The IAM policy the task execution role attaches: pull from platform/api only.
	ctx.Export("apiPullPolicy", api.PullPolicyDocument)
	ctx.Export("cachePrefix", ecrPublicRepositories.Prefix)
	return nil
}
