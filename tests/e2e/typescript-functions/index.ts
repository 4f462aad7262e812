// Looks up a repository managed elsewhere and gets a registry login.
import * as awsecr from "@pulumi-awsecr/awsecr";

const base = awsecr.getRepositoryOutput({ repositoryName: "shared/base" });
const login = awsecr.getAuthorizationTokenOutput({});

export const baseUrl = base.repositoryUrl;
export const baseMutability = base.imageTagMutability;
export const registryUser = login.userName;
export const registryPassword = login.password;
export const registryEndpoint = login.proxyEndpoint;
