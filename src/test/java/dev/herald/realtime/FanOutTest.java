package dev.herald.realtime;

import dev.herald.testing.NodeExtension;
import dev.herald.testing.TestSocket;
import dev.herald.testing.Tier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 1,000 sockets on one node subscribed to one record all receive its destroyed exactly once. */
@Tier.Component
class FanOutTest {
    private static final int SOCKETS = 1000;

    @RegisterExtension
    static final NodeExtension node = NodeExtension.demo();

    @Test
    void aThousandSubscribersEachReceiveTheDestroyOnce() {
        List<TestSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < SOCKETS; i++) {
                TestSocket s = TestSocket.connect(node.vertx(), node.port(), "access_token=" + node.adminToken());
                sockets.add(s);
                s.send(new JsonObject().put("type", "send").put("address", "herald.subscribe").put("replyAddress", "sub")
                        .put("body", new JsonObject().put("model", "pony").put("ids", new JsonArray().add(2))));
            }
            for (TestSocket s : sockets) {
                assertEquals(new JsonArray().add(2), s.await(f -> "sub".equals(f.getString("address")))
                        .getJsonObject("body").getJsonArray("subscribed"));
            }

            assertEquals(200, node.delete("/pony/2").statusCode());

            for (TestSocket s : sockets) {
                JsonObject destroyed = s.await(f -> "pony".equals(f.getString("address")));
                assertEquals("destroyed", destroyed.getJsonObject("body").getString("verb"));
                assertEquals(2, destroyed.getJsonObject("body").getInteger("id"));
            }
            for (TestSocket s : sockets) {
                assertEquals(0, s.notifications("pony", 0).size(), "no duplicate");
            }
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }
}
