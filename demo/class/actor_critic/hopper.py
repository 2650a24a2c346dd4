"""Grace Hopper's file came out of Moodle renamed: the grader maps it back to her id."""

FILENAME = "Grace Hopper_4242_assignsubmission_file_actor_critic.ipynb"
