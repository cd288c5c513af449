"""The Kafka fixture carries real records: 1,000 keyed records go in and come back."""

import time

from confluent_kafka import Consumer, Producer

RECORDS = 1000
PARTITIONS = 3


def test_produce_and_consume_1000_keyed_records(kafka):
    topic = kafka.create_topic("harness.roundtrip", partitions=PARTITIONS)
    sent = {f"subject-{i:04d}".encode(): f'{{"seq": {i}, "value": "v{i}"}}'.encode()
            for i in range(RECORDS)}

    producer = Producer({"bootstrap.servers": kafka.bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    errors = []
    for key, value in sent.items():
        producer.produce(topic, key=key, value=value,
                         on_delivery=lambda err, msg: err and errors.append(err))
    assert producer.flush(30) == 0, "records still queued after 30 s"
    assert errors == []

    consumer = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": "harness-roundtrip",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    received, partitions_seen = {}, set()
    deadline = time.monotonic() + 60
    try:
        while len(received) < RECORDS and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            assert msg.key() not in received, f"duplicate key {msg.key()!r}"
            received[msg.key()] = msg.value()
            partitions_seen.add(msg.partition())
    finally:
        consumer.close()

    assert received == sent
    # Keys hash across all partitions, so every partition carried some of them.
    assert partitions_seen == set(range(PARTITIONS))
