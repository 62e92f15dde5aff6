"""Drives a running Label Studio and `concordant serve` through Label Studio's API, as a user
would: a project of image boxes, the server connected as its ML backend, an annotation with a
box past the image, then the same annotation fixed. Exits 1 with what was seen when an
expectation is not met. Used by tests/labelstudio/run.sh."""

import argparse
import os
import sys
import time

import requests

# A drawn street (inline, so that no image is fetched from anywhere): what the labeling UI
# shows under the boxes.
STREET = "data:image/svg+xml;base64," + __import__("base64").b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">'
    b'<rect width="640" height="480" fill="#9cc3e6"/><rect y="300" width="640" height="180" fill="#555"/>'
    b'<rect x="80" y="250" width="130" height="70" rx="12" fill="#c0392b"/>'
    b'<rect x="560" y="250" width="140" height="70" rx="12" fill="#2980b9"/></svg>').decode()

LABEL_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Car"/><Label value="Road"/>
  </RectangleLabels>
</View>"""


def box(region_id, x):
    return {
        "id": region_id, "type": "rectanglelabels", "from_name": "label", "to_name": "image",
        "original_width": 640, "original_height": 480, "image_rotation": 0,
        "value": {"x": x, "y": 10, "width": 20, "height": 20, "rotation": 0,
                  "rectanglelabels": ["Car"]},
    }


class Api:
    def __init__(self, url, token):
        self.url, self.session = url.rstrip("/"), requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method, path, **kwargs):
        response = self.session.request(method, self.url + path, timeout=30, **kwargs)
        if response.status_code >= 400:
            sys.exit(f"{method} {path}: HTTP {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None


def wait_until(what, probe, seconds):
    """Polls `probe` until it gives something true; fails naming `what` after `seconds`."""
    deadline, seen = time.time() + seconds, None
    while time.time() < deadline:
        seen = probe()
        if seen and seen[0]:
            return seen[1]
        time.sleep(0.5)
    sys.exit(f"not seen within {seconds} s: {what}; last seen: {seen and seen[1]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--label-studio", required=True)
    parser.add_argument("--ls-token", required=True)
    parser.add_argument("--backend", required=True)
    parser.add_argument("--backend-token", required=True)
    parser.add_argument("--flagged-task-file", help="leave a flagged task; write its project and id here")
    parser.add_argument("--pid", type=int, help="Label Studio's process: it must keep running")
    args = parser.parse_args()

    def up(url):
        if args.pid and not os.path.exists(f"/proc/{args.pid}"):
            sys.exit("Label Studio stopped while starting; see its log")
        try:
            return requests.get(url + "/health", timeout=5).status_code == 200, url
        except requests.RequestException as e:
            return False, str(e)

    wait_until("Label Studio answering /health", lambda: up(args.label_studio), 400)
    wait_until("concordant serve answering /health", lambda: up(args.backend), 60)
    ls = Api(args.label_studio, args.ls_token)

    project = ls.call("POST", "/api/projects", json={"title": "concordant live validation",
                                                     "label_config": LABEL_CONFIG})
    tasks = ls.call("POST", f"/api/projects/{project['id']}/import",
                    json=[{"image": "https://example.invalid/street.jpg"}])
    task_id = ls.call("GET", f"/api/tasks?project={project['id']}")["tasks"][0]["id"]
    print(f"project {project['id']}, task {task_id} ({tasks.get('task_count')} imported)")

    ls.call("POST", "/api/ml", json={
        "url": args.backend, "project": project["id"], "title": "concordant",
        "auth_method": "BASIC_AUTH", "basic_auth_user": "label-studio",
        "basic_auth_pass": args.backend_token,
    })
    # Label Studio sends its ML backend's webhook without the backend's credentials: the
    # webhook it made gets the token as a header, as an operator would set it in the UI.
    hooks = [h for h in ls.call("GET", f"/api/webhooks?project={project['id']}")
             if h["url"].startswith(args.backend)]
    if not hooks:
        sys.exit("Label Studio made no webhook for its ML backend")
    for hook in hooks:
        ls.call("PATCH", f"/api/webhooks/{hook['id']}",
                json={"headers": {"Authorization": f"Bearer {args.backend_token}"}})
    print("concordant serve connected as the project's ML backend; its webhook carries the token")

    annotation = ls.call("POST", f"/api/tasks/{task_id}/annotations", json={
        "result": [box("inside", 10), box("outside", 90)], "was_cancelled": False,
        "ground_truth": False, "lead_time": 3.0, "task": task_id,
    })
    print(f"annotation {annotation['id']} created with box `outside` past the image's edge")

    def flagged():
        predictions = ls.call("GET", f"/api/predictions?task={task_id}") or []
        ours = [p for p in predictions if str(p.get("model_version", "")).startswith("concordant")]
        texts = {r.get("id"): r.get("meta", {}).get("text", []) for p in ours for r in p.get("result", [])}
        meta = (ls.call("GET", f"/api/tasks/{task_id}").get("meta") or {}).get("concordant")
        good = (len(ours) == 1 and any(t.startswith("box-inside-image: ") for t in texts.get("outside", []))
                and "inside" not in texts and meta and meta.get("results_flagged") == 1)
        return good, {"predictions": ours, "meta": meta}

    seen = wait_until("a prediction flagging box `outside`, and the task's summary", flagged, 30)
    print("flagged:", seen["predictions"][0]["result"][0]["meta"]["text"], "summary:", seen["meta"])

    ls.call("PATCH", f"/api/annotations/{annotation['id']}",
            json={"result": [box("inside", 10), box("outside", 60)]})
    print("box `outside` moved inside the image")

    def cleared():
        predictions = ls.call("GET", f"/api/predictions?task={task_id}") or []
        ours = [p for p in predictions if str(p.get("model_version", "")).startswith("concordant")]
        meta = (ls.call("GET", f"/api/tasks/{task_id}").get("meta") or {}).get("concordant")
        flagging = [p for p in ours if p.get("result")]
        return (not flagging and meta and meta.get("results_flagged") == 0), {"predictions": ours, "meta": meta}

    seen = wait_until("the prediction gone and the summary clear", cleared, 30)
    print("cleared; summary:", seen["meta"])

    if args.flagged_task_file:
        # A second task left flagged, for a look at the labeling UI.
        ls.call("POST", f"/api/projects/{project['id']}/import",
                json=[{"image": STREET}])
        second = ls.call("GET", f"/api/tasks?project={project['id']}")["tasks"]
        second_id = max(t["id"] for t in second)
        ls.call("POST", f"/api/tasks/{second_id}/annotations", json={
            "result": [box("inside", 10), box("outside", 90)], "task": second_id})
        task_id = second_id
        wait_until("the second task flagged", flagged, 30)
        with open(args.flagged_task_file, "w") as out:
            out.write(f"{project['id']} {second_id}\n")


if __name__ == "__main__":
    main()
