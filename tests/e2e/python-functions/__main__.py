"""Looks up a repository managed elsewhere and gets a registry login."""
import pulumi
import pulumi_awsecr as awsecr

base = awsecr.get_repository_output(repository_name="shared/base")
login = awsecr.get_authorization_token_output()

pulumi.export("baseUrl", base.repository_url)
pulumi.export("baseMutability", base.image_tag_mutability)
pulumi.export("registryUser", login.user_name)
pulumi.export("registryPassword", login.password)
pulumi.export("registryEndpoint", login.proxy_endpoint)
