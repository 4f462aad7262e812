"""Starts moto's server with one correction where moto differs from ECR.

ECR reads an empty imageScanningConfiguration ({}) as scanOnPush=false, and
the AWS SDK for Rust leaves a false boolean out of the request. moto ignores
an empty configuration, so turning scanning off would silently do nothing.
Arguments are passed to moto_server unchanged.
"""
import sys

from moto.ecr import models
from moto.server import main


def _update_image_scanning_configuration(self, image_scanning_configuration):
    if image_scanning_configuration is not None:
        self.image_scanning_configuration = {
            "scanOnPush": bool(image_scanning_configuration.get("scanOnPush", False))
        }


models.Repository._update_image_scanning_configuration = _update_image_scanning_configuration

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
