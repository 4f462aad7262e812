// Amazon ECR repositories with production defaults: immutable tags, scan on push, encryption at rest, simple lifecycle rules and safe deletion.
package awsecr
