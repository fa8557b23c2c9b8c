# Parses a Triton config.pbtxt with Google's protobuf text-format parser against
# Triton's model_config.proto, given as a FileDescriptorSet that protobufjs built
# from the vendored .proto (test/fixtures/triton/). Prints the message as JSON
# (proto field names); an unknown field, a wrong enum value or a syntax error
# exits non-zero with the parser's message.
#
# protobufjs names a map field's synthesized entry type after the field
# ("Parameters") where protoc names it "<Field>Entry" ("ParametersEntry"),
# which python's descriptor pool requires; the entries are renamed to protoc's
# names first. Nothing else in the schema is touched.
import json
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory, text_format


def camel(name):
    out, up = "", True
    for ch in name:
        if ch == "_":
            up = True
        else:
            out += ch.upper() if up else ch
            up = False
    return out


def fix_maps(msg, scope):
    full = f"{scope}.{msg.name}"
    entries = {n.name: n for n in msg.nested_type if n.options.map_entry}
    for f in msg.field:
        short = f.type_name.rsplit(".", 1)[-1]
        if f.type == f.TYPE_MESSAGE and short in entries:
            entries[short].name = camel(f.name) + "Entry"
            f.type_name = f"{full}.{entries[short].name}"
    for n in msg.nested_type:
        fix_maps(n, full)


fds = descriptor_pb2.FileDescriptorSet.FromString(open(sys.argv[1], "rb").read())
pool = descriptor_pool.DescriptorPool()
for f in fds.file:
    for m in f.message_type:
        fix_maps(m, "." + f.package if f.package else "")
    pool.Add(f)
d = pool.FindMessageTypeByName("inference.ModelConfig")
if hasattr(message_factory, "GetMessageClass"):
    cls = message_factory.GetMessageClass(d)
else:
    cls = message_factory.MessageFactory(pool).GetPrototype(d)
with open(sys.argv[2], encoding="utf-8") as f:
    m = text_format.Parse(f.read(), cls())
print(json.dumps(json_format.MessageToDict(m, preserving_proto_field_name=True)))
