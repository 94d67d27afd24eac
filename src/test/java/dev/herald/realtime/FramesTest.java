package dev.herald.realtime;

import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Tier.Unit
class FramesTest {
    @Test
    void aRecFrameAroundAnEncodedBodyIsTheSameJsonAsOneBuiltFromTheObject() {
        JsonObject body = new JsonObject().put("verb", "destroyed").put("id", 4)
                .put("previous", new JsonObject().put("name", "Pinkie \"Pie\" \u2603").put("toys", new JsonArray().add(1)));

        Buffer spliced = Frames.rec("pony", body.toBuffer());

        assertEquals(new JsonObject(Frames.rec("pony", (Object) body)), new JsonObject(spliced));
        assertEquals(new JsonObject().put("type", "rec").put("address", "pony").put("body", body), new JsonObject(spliced));
    }
}
