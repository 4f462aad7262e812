"""Writes the Pulumi engine's protocol descriptors, as shipped in the pinned
`pulumi` package, to stdout as a serialized FileDescriptorSet."""
import sys

from google.protobuf import descriptor_pb2
from pulumi.runtime.proto import alias_pb2, engine_pb2, plugin_pb2, provider_pb2

files = descriptor_pb2.FileDescriptorSet()
seen = set()


def add(fd):
    if fd.name in seen:
        return
    seen.add(fd.name)
    for dep in fd.dependencies:
        add(dep)
    proto = files.file.add()
    fd.CopyToProto(proto)


for module in (plugin_pb2, alias_pb2, provider_pb2, engine_pb2):
    add(module.DESCRIPTOR)
sys.stdout.buffer.write(files.SerializeToString())
