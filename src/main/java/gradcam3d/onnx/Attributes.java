package gradcam3d.onnx;

import com.google.protobuf.ByteString;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.AttributeProto.AttributeType;
import gradcam3d.onnx.proto.Onnx.TensorProto;

/** Builders for node attributes. */
public final class Attributes {
  private Attributes() {}

  public static AttributeProto of(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
  }

  public static AttributeProto of(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
  }

  public static AttributeProto of(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }

  public static AttributeProto of(String name, long[] values) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long v : values) {
      b.addInts(v);
    }
    return b.build();
  }

  public static AttributeProto of(String name, float[] values) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
    for (float v : values) {
      b.addFloats(v);
    }
    return b.build();
  }

  public static AttributeProto of(String name, TensorProto value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(value).build();
  }
}
