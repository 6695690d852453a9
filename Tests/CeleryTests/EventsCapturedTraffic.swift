// swift-format-ignore-file
/// Real traffic: every message a celery 5.7.0 / kombu 5.7.0 worker (`-c 2 -n w1@smoke`, global_keyprefix
/// `prod:`, broker database 3, task_track_started, result_extended) published while running app.slow,
/// app.boom (fails), app.flaky (retries twice, then fails) and app.add, then a SIGTERM; captured
/// verbatim with `redis-cli PSUBSCRIBE 'prod:celery-task-meta-*' 'prod:/3.celeryev/worker.*'`.
enum EventsCapturedTraffic {
    /// (channel, payload) in arrival order.
    static let messages: [(channel: String, payload: String)] = [
        (
            #"prod:/3.celeryev/worker.online"#,
            #"{"body": "eyJob3N0bmFtZSI6ICJ3MUBzbW9rZSIsICJ1dGNvZmZzZXQiOiAwLjAsICJwaWQiOiA0NzYsICJjbG9jayI6IDEsICJmcmVxIjogMi4wLCAiYWN0aXZlIjogMCwgInByb2Nlc3NlZCI6IDAsICJsb2FkYXZnIjogWzcuMSwgNS41OCwgNS4xMl0sICJzd19pZGVudCI6ICJweS1jZWxlcnkiLCAic3dfdmVyIjogIjUuNy4wIiwgInN3X3N5cyI6ICJMaW51eCIsICJ0aW1lc3RhbXAiOiAxNzk1NjMxMTkwLjUwNzEzMiwgInR5cGUiOiAid29ya2VyLW9ubGluZSJ9", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@smoke"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.online"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "4984ecc5-e0d9-45bd-adca-679f3ea5dafe"}}"#
        ),
        (
            #"prod:/3.celeryev/worker.heartbeat"#,
            #"{"body": "eyJob3N0bmFtZSI6ICJ3MUBzbW9rZSIsICJ1dGNvZmZzZXQiOiAwLjAsICJwaWQiOiA0NzYsICJjbG9jayI6IDIsICJmcmVxIjogMi4wLCAiYWN0aXZlIjogMCwgInByb2Nlc3NlZCI6IDAsICJsb2FkYXZnIjogWzcuMSwgNS41OCwgNS4xMl0sICJzd19pZGVudCI6ICJweS1jZWxlcnkiLCAic3dfdmVyIjogIjUuNy4wIiwgInN3X3N5cyI6ICJMaW51eCIsICJ0aW1lc3RhbXAiOiAxNzk1NjMxMTkyLjUxNDQ2MjIsICJ0eXBlIjogIndvcmtlci1oZWFydGJlYXQifQ==", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@smoke"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.heartbeat"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "a75bd084-6c2c-413d-bb20-af9dc726a49d"}}"#
        ),
        (
            #"prod:/3.celeryev/worker.heartbeat"#,
            #"{"body": "eyJob3N0bmFtZSI6ICJ3MUBzbW9rZSIsICJ1dGNvZmZzZXQiOiAwLjAsICJwaWQiOiA0NzYsICJjbG9jayI6IDQsICJmcmVxIjogMi4wLCAiYWN0aXZlIjogMCwgInByb2Nlc3NlZCI6IDAsICJsb2FkYXZnIjogWzcuMSwgNS41OCwgNS4xMl0sICJzd19pZGVudCI6ICJweS1jZWxlcnkiLCAic3dfdmVyIjogIjUuNy4wIiwgInN3X3N5cyI6ICJMaW51eCIsICJ0aW1lc3RhbXAiOiAxNzk1NjMxMTk0LjUxNjcyODQsICJ0eXBlIjogIndvcmtlci1oZWFydGJlYXQifQ==", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@smoke"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.heartbeat"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "66774158-c3db-48c3-98d9-5b2a9ab250a7"}}"#
        ),
        (
            #"prod:celery-task-meta-c6aaa9d7-643a-4fc6-8cc2-ab473f466847"#,
            #"{"status": "STARTED", "result": {"pid": 528, "hostname": "w1@smoke"}, "traceback": null, "children": [], "date_done": null, "name": "app.slow", "args": [1], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "c6aaa9d7-643a-4fc6-8cc2-ab473f466847"}"#
        ),
        (
            #"prod:celery-task-meta-a4d2c495-04f6-426c-b0e8-6093542eaabd"#,
            #"{"status": "STARTED", "result": {"pid": 523, "hostname": "w1@smoke"}, "traceback": null, "children": [], "date_done": null, "name": "app.boom", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "a4d2c495-04f6-426c-b0e8-6093542eaabd"}"#
        ),
        (
            #"prod:celery-task-meta-a4d2c495-04f6-426c-b0e8-6093542eaabd"#,
            #"{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom!"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 564, in trace_task\n    R = retval = fun(*args, **kwargs)\n                 ^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 883, in __protected_call__\n    return self.run(*args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/Tests/CeleryIntegrationTests/celeryapp/app.py\", line 97, in boom\n    raise ValueError('boom!')\nValueError: boom!\n", "children": [], "date_done": "2026-11-25T18:26:35.209456+00:00", "name": "app.boom", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "a4d2c495-04f6-426c-b0e8-6093542eaabd"}"#
        ),
        (
            #"prod:celery-task-meta-65344984-5c46-4731-b6cd-ea524956a87c"#,
            #"{"status": "STARTED", "result": {"pid": 523, "hostname": "w1@smoke"}, "traceback": null, "children": [], "date_done": null, "name": "app.flaky", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "65344984-5c46-4731-b6cd-ea524956a87c"}"#
        ),
        (
            #"prod:celery-task-meta-65344984-5c46-4731-b6cd-ea524956a87c"#,
            #"{"status": "RETRY", "result": {"exc_type": "RuntimeError", "exc_message": ["try again"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 564, in trace_task\n    R = retval = fun(*args, **kwargs)\n                 ^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 883, in __protected_call__\n    return self.run(*args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/Tests/CeleryIntegrationTests/celeryapp/app.py\", line 103, in flaky\n    raise self.retry(exc=RuntimeError('try again'))\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/task.py\", line 963, in retry\n    raise ret\ncelery.exceptions.Retry: Retry in 1.0s: RuntimeError('try again')\n", "children": [[["65344984-5c46-4731-b6cd-ea524956a87c", null], null]], "date_done": null, "name": "app.flaky", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "65344984-5c46-4731-b6cd-ea524956a87c"}"#
        ),
        (
            #"prod:celery-task-meta-403407f3-7258-4d9a-82a4-104fe72bc1c8"#,
            #"{"status": "STARTED", "result": {"pid": 523, "hostname": "w1@smoke"}, "traceback": null, "children": [], "date_done": null, "name": "app.add", "args": [1, 2], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "403407f3-7258-4d9a-82a4-104fe72bc1c8"}"#
        ),
        (
            #"prod:celery-task-meta-403407f3-7258-4d9a-82a4-104fe72bc1c8"#,
            #"{"status": "SUCCESS", "result": 3, "traceback": null, "children": [], "date_done": "2026-11-25T18:26:35.267917+00:00", "name": "app.add", "args": [1, 2], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "403407f3-7258-4d9a-82a4-104fe72bc1c8"}"#
        ),
        (
            #"prod:celery-task-meta-c6aaa9d7-643a-4fc6-8cc2-ab473f466847"#,
            #"{"status": "SUCCESS", "result": "slept 1 ", "traceback": null, "children": [], "date_done": "2026-11-25T18:26:36.206920+00:00", "name": "app.slow", "args": [1], "kwargs": {}, "worker": "w1@smoke", "retries": 0, "queue": "celery", "task_id": "c6aaa9d7-643a-4fc6-8cc2-ab473f466847"}"#
        ),
        (
            #"prod:celery-task-meta-65344984-5c46-4731-b6cd-ea524956a87c"#,
            #"{"status": "STARTED", "result": {"pid": 528, "hostname": "w1@smoke"}, "traceback": null, "children": [], "date_done": null, "parent_id": "65344984-5c46-4731-b6cd-ea524956a87c", "name": "app.flaky", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 1, "queue": "celery", "task_id": "65344984-5c46-4731-b6cd-ea524956a87c"}"#
        ),
        (
            #"prod:celery-task-meta-65344984-5c46-4731-b6cd-ea524956a87c"#,
            #"{"status": "RETRY", "result": {"exc_type": "RuntimeError", "exc_message": ["try again"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 564, in trace_task\n    R = retval = fun(*args, **kwargs)\n                 ^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 883, in __protected_call__\n    return self.run(*args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/Tests/CeleryIntegrationTests/celeryapp/app.py\", line 103, in flaky\n    raise self.retry(exc=RuntimeError('try again'))\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/task.py\", line 963, in retry\n    raise ret\ncelery.exceptions.Retry: Retry in 1.0s: RuntimeError('try again')\n", "children": [[["65344984-5c46-4731-b6cd-ea524956a87c", null], null]], "date_done": null, "parent_id": "65344984-5c46-4731-b6cd-ea524956a87c", "name": "app.flaky", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 1, "queue": "celery", "task_id": "65344984-5c46-4731-b6cd-ea524956a87c"}"#
        ),
        (
            #"prod:/3.celeryev/worker.heartbeat"#,
            #"{"body": "eyJob3N0bmFtZSI6ICJ3MUBzbW9rZSIsICJ1dGNvZmZzZXQiOiAwLjAsICJwaWQiOiA0NzYsICJjbG9jayI6IDYsICJmcmVxIjogMi4wLCAiYWN0aXZlIjogMCwgInByb2Nlc3NlZCI6IDUsICJsb2FkYXZnIjogWzcuNDEsIDUuNjcsIDUuMTZdLCAic3dfaWRlbnQiOiAicHktY2VsZXJ5IiwgInN3X3ZlciI6ICI1LjcuMCIsICJzd19zeXMiOiAiTGludXgiLCAidGltZXN0YW1wIjogMTc5NTYzMTE5Ni41MTg0MzE3LCAidHlwZSI6ICJ3b3JrZXItaGVhcnRiZWF0In0=", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@smoke"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.heartbeat"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "98421ce2-d1cc-43d3-ada5-dee556a5b6e7"}}"#
        ),
        (
            #"prod:celery-task-meta-65344984-5c46-4731-b6cd-ea524956a87c"#,
            #"{"status": "STARTED", "result": {"pid": 528, "hostname": "w1@smoke"}, "traceback": null, "children": [], "date_done": null, "parent_id": "65344984-5c46-4731-b6cd-ea524956a87c", "name": "app.flaky", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 2, "queue": "celery", "task_id": "65344984-5c46-4731-b6cd-ea524956a87c"}"#
        ),
        (
            #"prod:celery-task-meta-65344984-5c46-4731-b6cd-ea524956a87c"#,
            #"{"status": "FAILURE", "result": {"exc_type": "RuntimeError", "exc_message": ["try again"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 564, in trace_task\n    R = retval = fun(*args, **kwargs)\n                 ^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/trace.py\", line 883, in __protected_call__\n    return self.run(*args, **kwargs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/Tests/CeleryIntegrationTests/celeryapp/app.py\", line 103, in flaky\n    raise self.retry(exc=RuntimeError('try again'))\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/app/task.py\", line 942, in retry\n    raise_with_context(exc)\n  File \"/work/main/.venv-celery/lib/python3.11/site-packages/celery/utils/serialization.py\", line 273, in raise_with_context\n    raise exc from exc_info[1]\nRuntimeError: try again\n", "children": [], "date_done": "2026-11-25T18:26:37.233370+00:00", "parent_id": "65344984-5c46-4731-b6cd-ea524956a87c", "name": "app.flaky", "args": [], "kwargs": {}, "worker": "w1@smoke", "retries": 2, "queue": "celery", "task_id": "65344984-5c46-4731-b6cd-ea524956a87c"}"#
        ),
        (
            #"prod:/3.celeryev/worker.heartbeat"#,
            #"{"body": "eyJob3N0bmFtZSI6ICJ3MUBzbW9rZSIsICJ1dGNvZmZzZXQiOiAwLjAsICJwaWQiOiA0NzYsICJjbG9jayI6IDgsICJmcmVxIjogMi4wLCAiYWN0aXZlIjogMCwgInByb2Nlc3NlZCI6IDYsICJsb2FkYXZnIjogWzcuNDEsIDUuNjcsIDUuMTZdLCAic3dfaWRlbnQiOiAicHktY2VsZXJ5IiwgInN3X3ZlciI6ICI1LjcuMCIsICJzd19zeXMiOiAiTGludXgiLCAidGltZXN0YW1wIjogMTc5NTYzMTE5OC41MjAyODc1LCAidHlwZSI6ICJ3b3JrZXItaGVhcnRiZWF0In0=", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@smoke"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.heartbeat"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "db8bb460-b1fd-44a0-b16f-efe0e42ef385"}}"#
        ),
        (
            #"prod:/3.celeryev/worker.heartbeat"#,
            #"{"body": "eyJob3N0bmFtZSI6ICJ3MUBzbW9rZSIsICJ1dGNvZmZzZXQiOiAwLjAsICJwaWQiOiA0NzYsICJjbG9jayI6IDEwLCAiZnJlcSI6IDIuMCwgImFjdGl2ZSI6IDAsICJwcm9jZXNzZWQiOiA2LCAibG9hZGF2ZyI6IFs3LjIyLCA1LjY2LCA1LjE2XSwgInN3X2lkZW50IjogInB5LWNlbGVyeSIsICJzd192ZXIiOiAiNS43LjAiLCAic3dfc3lzIjogIkxpbnV4IiwgInRpbWVzdGFtcCI6IDE3OTU2MzEyMDAuNTMwNDk4NywgInR5cGUiOiAid29ya2VyLWhlYXJ0YmVhdCJ9", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@smoke"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.heartbeat"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "a2e777ea-6125-4b75-9095-d253bac55864"}}"#
        ),
        (
            #"prod:/3.celeryev/worker.offline"#,
            #"{"body": "eyJob3N0bmFtZSI6ICJ3MUBzbW9rZSIsICJ1dGNvZmZzZXQiOiAwLjAsICJwaWQiOiA0NzYsICJjbG9jayI6IDEyLCAiZnJlcSI6IDIuMCwgImFjdGl2ZSI6IDAsICJwcm9jZXNzZWQiOiA2LCAibG9hZGF2ZyI6IFs3LjIyLCA1LjY2LCA1LjE2XSwgInN3X2lkZW50IjogInB5LWNlbGVyeSIsICJzd192ZXIiOiAiNS43LjAiLCAic3dfc3lzIjogIkxpbnV4IiwgInRpbWVzdGFtcCI6IDE3OTU2MzEyMDIuNDExMzkxLCAidHlwZSI6ICJ3b3JrZXItb2ZmbGluZSJ9", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@smoke"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "worker.offline"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "388cc7ce-1b93-442c-b19f-dd5ed8fb1a8c"}}"#
        ),
    ]
}
