"""Starts moto's server as the tests' local ECR emulator, in one of two modes.

The mode comes from the environment variable AWSECR_EMULATOR:

- lenient: moto as it is, with one correction. ECR
  reads an empty imageScanningConfiguration ({}) as scanOnPush=false, and the
  AWS SDK for Rust leaves a false boolean out of the request. moto ignores an
  empty configuration, so turning scanning off would silently do nothing.

- strict (the default, and the mode of the whole suite): the same
  correction, plus the ECR behaviours moto lacks, so that a
  client that passes against the emulator does not fail on its first real
  `pulumi up` (ecr_strict.py says what each rule does and where it comes
  from): every request checked against botocore's ECR model (ecr_model.py);
  reserved "aws:" tag keys; ECR's tag limits; IAM principals in policies that
  must exist; ImageTagAlreadyExistsException for immutable tags; the current
  repository name rule; paged list operations (AWSECR_EMULATOR_PAGE_SIZE
  items a page, default 2); image digests, indexes and referrers as
  DescribeImages describes them.

In both modes the server also serves the pull through cache rule and
repository creation template operations moto lacks (ecr_extensions.py), and
the registry operations ECR added in 2025-26 that moto lacks too: account
settings, managed signing, pull time update exclusions, replication
backfills (ecr_registry_2026.py), and the lifecycle policy preview, with
an evaluator of lifecycle policies as ECR's user guide describes them
(ecr_lifecycle_preview.py, ecr_lifecycle.py); in strict mode their requests are
model-checked and their lists paged like the others. It also answers POST
/awsecr-test/tag, a back door for tests that need a repository carrying an
"aws:" tag (as CloudFormation leaves it), POST /awsecr-test/image, one that
sets an image's push, pull, archive and restore times and its status, and
GET /awsecr-test/mode. Other arguments are passed to
moto_server unchanged.
"""
import os
import sys

import moto.server
from moto.ecr import models

import ecr_extensions
import ecr_lifecycle_preview
import ecr_registry_2026
import ecr_strict

MODES = ("lenient", "strict")


def _update_image_scanning_configuration(self, image_scanning_configuration):
    if image_scanning_configuration is not None:
        self.image_scanning_configuration = {
            "scanOnPush": bool(image_scanning_configuration.get("scanOnPush", False))
        }


def mode():
    chosen = os.environ.get("AWSECR_EMULATOR", "strict")
    if chosen not in MODES:
        raise SystemExit(f"AWSECR_EMULATOR must be one of {', '.join(MODES)}, not {chosen!r}")
    return chosen


def install(chosen):
    models.Repository._update_image_scanning_configuration = _update_image_scanning_configuration
    strict = chosen == "strict"
    # In strict mode ecr_strict pages every list (rule 7), these included.
    ecr_extensions.install(pages=not strict)
    ecr_registry_2026.install(strict)
    ecr_lifecycle_preview.install()
    if strict:
        ecr_strict.install_rules()
    # moto_server builds its app from this name; wrap what it builds.
    dispatcher = moto.server.DomainDispatcherApplication
    moto.server.DomainDispatcherApplication = lambda create_app: ecr_strict.Emulator(
        dispatcher(create_app), strict
    )


if __name__ == "__main__":
    chosen = mode()
    install(chosen)
    print(f"awsecr ECR emulator: {chosen} mode", file=sys.stderr, flush=True)
    sys.exit(moto.server.main(sys.argv[1:]))
